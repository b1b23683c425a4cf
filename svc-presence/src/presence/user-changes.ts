import {
  sameRecord,
  settle,
  type PresenceRecord,
  type Transition,
} from "../domain/presence-record.js";
import type { PresenceStore } from "../kv/presence-store.js";
import type { PresencePublisher } from "./publisher.js";

/** Which edges hold devices in `after` but not in `before`. */
function edgesGained(before: PresenceRecord, after: PresenceRecord): string[] {
  return Object.keys(after.edges).filter((edge) => !(edge in before.edges));
}

/**
 * Applies device changes to user records: read, change, compare-and-set,
 * and on a conflict (another instance wrote first) read again and redo.
 * The side keys are ordered so that a crash between two writes leaves only
 * what the sweeper cleans up:
 *
 * - an edge index key is written before the record gains the edge (a
 *   surplus key is harmless, a missing one would hide the user from a
 *   dead edge's cleanup). It is not deleted when the user leaves the
 *   edge: another instance may have just rewritten the same key for a
 *   reconnect there, and a delete landing after that write would hide the
 *   device from the dead-edge cleanup for good. A delete would not shrink
 *   the index anyway (its marker stays listed until the edge's index is
 *   purged, at goodbye or lease end); a stale key costs that cleanup one
 *   read of a record that no longer names the edge;
 * - the pending mark of a grace period is written before the record
 *   enters it; only the sweeper removes marks, and only those older than
 *   the grace period whose record is not in it, so a mark written for a
 *   write under way stays.
 */
export class UserChanges {
  constructor(
    private readonly store: PresenceStore,
    private readonly publisher: PresencePublisher,
  ) {}

  /**
   * Changes the user's devices with `edit` (which touches `edges` only) and
   * settles the grace period. Publishes `online` when the user came online.
   * `leftAt` says when the last device left, should this change be that
   * (see leftAtMs); by default, now.
   */
  async change(
    userId: string,
    edit: (record: PresenceRecord) => PresenceRecord,
    leftAt: (nowMs: number) => number = (nowMs) => nowMs,
  ): Promise<Transition> {
    for (;;) {
      const leftMs = leftAt(Date.now());
      const { record: before, revision } = await this.store.read(userId);
      const { record: after, transition } = settle(before, edit(before), leftMs);
      if (sameRecord(before, after)) return "none";

      const gained = edgesGained(before, after);
      const marked = transition === "entered_grace";
      await Promise.all([
        ...gained.map((edge) => this.store.addToEdgeIndex(edge, userId)),
        marked ? this.store.markPending(userId, leftMs) : undefined,
      ]);
      const written = await this.store.write(userId, after, revision);
      if (written === null) continue;

      if (transition === "came_online") this.publisher.online(userId, written);
      return transition;
    }
  }
}
