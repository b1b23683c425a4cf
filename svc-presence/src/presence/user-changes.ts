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
 * - an edge index key is written before the record gains the edge, and
 *   deleted after it lost it (a surplus key is harmless, a missing one
 *   would hide the user from a dead edge's cleanup);
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
   */
  async change(
    userId: string,
    edit: (record: PresenceRecord) => PresenceRecord,
  ): Promise<Transition> {
    for (;;) {
      const nowMs = Date.now();
      const { record: before, revision } = await this.store.read(userId);
      const { record: after, transition } = settle(before, edit(before), nowMs);
      if (sameRecord(before, after)) return "none";

      const gained = edgesGained(before, after);
      const marked = transition === "entered_grace";
      await Promise.all([
        ...gained.map((edge) => this.store.addToEdgeIndex(edge, userId)),
        marked ? this.store.markPending(userId, nowMs) : undefined,
      ]);
      if (!(await this.store.write(userId, after, revision))) continue;

      const lost = edgesGained(after, before);
      await Promise.all(lost.map((edge) => this.store.removeFromEdgeIndex(edge, userId)));
      if (transition === "came_online") this.publisher.online(userId);
      return transition;
    }
  }
}
