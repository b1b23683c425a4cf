import { ErrorCode, ParleyError } from "../errors.js";
import { LRUCache } from "lru-cache";

/** Who belongs to a conversation, as of one membership version. */
export interface Membership {
  version: number;
  memberIds: string[];
}

/** Where member lists come from (svc-history's ListMembers, asked as `readerId`). */
export interface MembersSource {
  list(conversationId: string, readerId: string): Promise<Membership>;
}

export interface MembershipCacheOptions {
  /** Member ids held at most, summed over conversations. */
  maxMemberIds: number;
  /** How long a list is used before it is read again. */
  ttlMs: number;
  /** The reason of the PERMISSION_DENIED for a user who is not a member. */
  notAMember: string;
}

/**
 * A refusal of one shared lookup. Concurrent misses share the read of
 * whichever sender came first, and history refuses a reader who is not a
 * member: that says nothing about the other senders waiting on it.
 */
class ReaderRefused extends Error {
  constructor(
    readonly readerId: string,
    readonly refusal: ParleyError,
  ) {
    super(refusal.message);
  }
}

/** Rounds of "invalidated while reading" before reading past the cache. */
const MAX_ABORTED_READS = 3;

/**
 * Conversation member lists, read from svc-history on a miss: svc-delivery
 * checks group sends against them, the edge typing. (Follow svc-history's
 * announcements with MembershipAnnouncements to keep them current.)
 * Entries are dropped when history announces a change (invalidate) and all
 * at once when announcements may have been missed (clear); a read in flight
 * when its entry is dropped is abandoned and done again, because its answer
 * may predate the change.
 *
 * Shortcoming: the announcement travels over NATS, the send over gRPC, so a
 * removed member's send that arrives within the announcement's transit time
 * (after history committed the removal) is still accepted and reaches the
 * remaining members (fanout leaves out only the removed sender). Closing the
 * gap needs the check to see the log (e.g. comparing with the newest
 * membership fanout learned for the group); until then the window is that
 * of one core NATS message.
 */
export class MembershipCache {
  private readonly cache: LRUCache<string, Membership, string>;

  private readonly notAMember: string;

  constructor(
    private readonly source: MembersSource,
    options: MembershipCacheOptions,
  ) {
    this.notAMember = options.notAMember;
    this.cache = new LRUCache<string, Membership, string>({
      maxSize: options.maxMemberIds,
      sizeCalculation: (m) => Math.max(1, m.memberIds.length),
      ttl: options.ttlMs,
      // A failed re-read keeps the list it was to replace: one non-member's
      // refused send must not evict the group for its members.
      noDeleteOnFetchRejection: true,
      fetchMethod: (conversationId, _stale, { context: readerId }) =>
        this.read(conversationId, readerId),
    });
  }

  /**
   * The conversation's membership if `senderId` belongs to it; otherwise
   * throws PERMISSION_DENIED (`notAMember`; an unknown conversation answers
   * the same), or UNAVAILABLE when history cannot be asked.
   */
  async forSender(conversationId: string, senderId: string): Promise<Membership> {
    let membership = await this.lookup(conversationId, senderId, false);
    // A sender missing from a cached list may have been added a moment ago,
    // before the announcement arrived: ask history before refusing.
    if (!membership.memberIds.includes(senderId)) {
      membership = await this.lookup(conversationId, senderId, true);
    }
    if (!membership.memberIds.includes(senderId)) {
      throw ParleyError.denied(this.notAMember);
    }
    return membership;
  }

  /** Drops one group's list: its membership changed. */
  invalidate(conversationId: string): void {
    this.cache.delete(conversationId);
  }

  /** Drops every list: changes may have been announced unheard. */
  clear(): void {
    this.cache.clear();
  }

  get size(): number {
    return this.cache.size;
  }

  private async lookup(
    conversationId: string,
    readerId: string,
    forceRefresh: boolean,
  ): Promise<Membership> {
    for (let round = 0; round < MAX_ABORTED_READS; round++) {
      try {
        const found = await this.cache.fetch(conversationId, { context: readerId, forceRefresh });
        if (found) return found;
      } catch (err) {
        if (err instanceof ReaderRefused) {
          if (err.readerId === readerId) throw err.refusal;
        } else if (err instanceof ParleyError) {
          throw err;
        }
        // Otherwise the read was abandoned (its entry was invalidated) or
        // refused someone else: read again, as this reader.
      }
      forceRefresh = false;
    }
    // Changes keep arriving faster than reads complete: read past the cache.
    return this.source.list(conversationId, readerId);
  }

  private async read(conversationId: string, readerId: string): Promise<Membership> {
    try {
      return await this.source.list(conversationId, readerId);
    } catch (err) {
      if (err instanceof ParleyError && err.code === ErrorCode.PermissionDenied) {
        throw new ReaderRefused(readerId, err);
      }
      throw err;
    }
  }
}
