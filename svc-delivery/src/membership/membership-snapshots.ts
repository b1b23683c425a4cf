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
 * Shortcoming: snapshots live in memory only. After a restart, a group's
 * first entries are judged by their stamps until its next membership event,
 * so a send that raced a change just before the restart can reach a removed
 * member; and an entry redelivered after a later change was learned is
 * judged against that later membership. Persisting the newest version per
 * group (or reading it from history on a miss) would remove both.
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
   * Records the membership a membership event leaves behind. An older
   * version than the one known (a redelivered entry) changes nothing.
   */
  learn(event: ConversationEvent): void {
    if (!event.membership) return;
    const known = this.latest.get(event.conversationId);
    if (known && known.version >= event.membershipVersion) return;
    this.latest.set(event.conversationId, {
      version: event.membershipVersion,
      memberIds: event.memberIds,
    });
  }

  get(conversationId: string): Membership | undefined {
    return this.latest.get(conversationId);
  }
}
