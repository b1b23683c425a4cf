import type { ConversationEvent } from "@parley/proto/parley/events/v1/events";
import { LRUCache } from "lru-cache";
import type { Membership } from "../domain/membership.js";

/**
 * The newest membership each group's log has shown the fanout, learned from
 * membership events in log order. Bounded: a group whose snapshot was
 * evicted (or that no event has shown since a restart) is fanned out to the
 * member lists stamped at send time, which are right unless a send raced a
 * change, the case the snapshot exists for.
 *
 * Snapshots are ordered by log seq, not by membership version: the log's
 * order is the truth, and a version can repeat when svc-history appended a
 * change whose transaction then rolled back (see its group-change.ts).
 *
 * Shortcoming: snapshots live in memory only. After a restart, a group's
 * first entries are judged by their stamps until its next membership event,
 * so a send that raced a change just before the restart can reach a removed
 * member. Persisting the newest snapshot per group (or reading it from
 * history on a miss) would close that.
 */
export class MembershipSnapshots {
  private readonly latest: LRUCache<string, Membership>;

  constructor(maxMemberIds: number) {
    this.latest = new LRUCache<string, Membership>({
      maxSize: maxMemberIds,
      sizeCalculation: (m) => Math.max(1, m.memberIds.length),
    });
  }

  /**
   * Records the membership a membership event (its seq filled in) leaves
   * behind. An entry from earlier in the log than the one known (a
   * redelivery) changes nothing.
   */
  learn(event: ConversationEvent): void {
    if (!event.membership) return;
    const known = this.latest.get(event.conversationId);
    if (known && (known.seq ?? 0) >= event.seq) return;
    this.latest.set(event.conversationId, {
      version: event.membershipVersion,
      memberIds: event.memberIds,
      seq: event.seq,
    });
  }

  get(conversationId: string): Membership | undefined {
    return this.latest.get(conversationId);
  }
}
