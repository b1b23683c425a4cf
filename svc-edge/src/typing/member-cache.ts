import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { ErrorCode, ParleyError, type Logger, type Topology } from "@parley/common";
import { LRUCache } from "lru-cache";

/** Where member lists come from (svc-history's ListMembers, as `readerId`). */
export interface MemberSource {
  memberIds(conversationId: string, readerId: string): Promise<string[]>;
}

export interface MemberCacheOptions {
  /** Member ids held at most, summed over conversations. */
  maxMemberIds: number;
  /** How long a list is used before it is read again. */
  ttlMs: number;
}

/** A refusal of a shared read: it concerns that reader, not the others waiting on it. */
class ReaderRefused extends Error {
  constructor(
    readonly readerId: string,
    readonly refusal: ParleyError,
  ) {
    super(refusal.message);
  }
}

/**
 * Conversation member lists for typing, per edge process, read from
 * svc-history on a miss. svc-history announces each membership change on a
 * core subject and the list is dropped; since core messages are lost while
 * disconnected, every list is dropped after a NATS reconnect, and lists
 * also expire after a while as a last resort.
 *
 * A member added a moment ago may be missing from a cached list: a typer
 * not in it gets one fresh read before being refused. A member removed a
 * moment ago may still receive typing until the announcement arrives.
 */
export class MemberCache {
  private readonly cache: LRUCache<string, string[], string>;
  private subscription: Subscription | undefined;

  constructor(
    private readonly source: MemberSource,
    options: MemberCacheOptions,
  ) {
    this.cache = new LRUCache<string, string[], string>({
      maxSize: options.maxMemberIds,
      sizeCalculation: (ids) => Math.max(1, ids.length),
      ttl: options.ttlMs,
      noDeleteOnFetchRejection: true,
      fetchMethod: (conversationId, _stale, { context: readerId }) =>
        this.read(conversationId, readerId),
    });
  }

  /** Follows the announcements; resolves once the subscription is in place. */
  async start(nc: NatsConnection, topology: Topology, log: Logger): Promise<void> {
    const prefix = topology.membershipChangedSubject("");
    this.subscription = nc.subscribe(topology.membershipChangedFilter(), {
      callback: (err, msg) => {
        if (err) {
          log.warn({ err }, "membership change subscription failed");
          this.cache.clear();
          return;
        }
        this.cache.delete(msg.subject.slice(prefix.length));
      },
    });
    void (async () => {
      for await (const status of nc.status()) {
        if (status.type === "reconnect") this.cache.clear();
      }
    })();
    await nc.flush();
  }

  stop(): void {
    this.subscription?.unsubscribe();
  }

  /**
   * The conversation's member ids if `userId` is a member; otherwise throws
   * PERMISSION_DENIED (an unknown conversation answers the same), or
   * UNAVAILABLE when svc-history cannot be asked.
   */
  async membersFor(conversationId: string, userId: string): Promise<string[]> {
    let ids = await this.lookup(conversationId, userId, false);
    if (!ids.includes(userId)) ids = await this.lookup(conversationId, userId, true);
    if (!ids.includes(userId)) throw ParleyError.denied("not a member of this conversation");
    return ids;
  }

  get size(): number {
    return this.cache.size;
  }

  private async lookup(conversationId: string, userId: string, forceRefresh: boolean) {
    try {
      const ids = await this.cache.fetch(conversationId, { context: userId, forceRefresh });
      if (ids) return ids;
    } catch (err) {
      if (err instanceof ReaderRefused) {
        if (err.readerId === userId) throw err.refusal;
      } else if (err instanceof ParleyError) {
        throw err;
      }
    }
    // The shared read was dropped (a change was announced meanwhile) or
    // refused another reader: ask as this user, past the cache.
    return this.source.memberIds(conversationId, userId);
  }

  private async read(conversationId: string, readerId: string): Promise<string[]> {
    try {
      return await this.source.memberIds(conversationId, readerId);
    } catch (err) {
      if (err instanceof ParleyError && err.code === ErrorCode.PermissionDenied) {
        throw new ReaderRefused(readerId, err);
      }
      throw err;
    }
  }
}
