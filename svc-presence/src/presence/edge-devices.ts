import pLimit, { type LimitFunction } from "p-limit";
import {
  applyChanges,
  leftAtMs,
  withEdgeDevices,
  type DeviceChange,
} from "../domain/presence-record.js";
import type { PresenceStore } from "../kv/presence-store.js";
import type { UserChanges } from "./user-changes.js";

/**
 * What an edge's reports do to the records of its users: each user's
 * record is its own compare-and-set, so users are updated side by side
 * (up to `concurrency` at once) while each user's events keep their order.
 */
export class EdgeDevices {
  private readonly limit: LimitFunction;

  constructor(
    private readonly store: PresenceStore,
    private readonly users: UserChanges,
    concurrency: number,
  ) {
    this.limit = pLimit(concurrency);
  }

  /** Applies the edge's connects and disconnects, per user in order. */
  async apply(edgeId: string, changes: Map<string, DeviceChange[]>): Promise<void> {
    await this.each([...changes.keys()], (userId) => {
      const ofUser = changes.get(userId)!;
      return this.users.change(
        userId,
        (r) => applyChanges(r, edgeId, ofUser),
        (nowMs) => leftAtMs(ofUser, nowMs),
      );
    });
  }

  /**
   * Makes the edge hold exactly the snapshot's devices: its users by the
   * index that the snapshot lacks lose the edge, the snapshot's users get
   * exactly the devices listed.
   */
  async replace(edgeId: string, snapshot: Map<string, DeviceChange[]>): Promise<void> {
    const { tokens: indexed } = await this.store.usersOnEdge(edgeId);
    const users = new Set([...indexed, ...snapshot.keys()]);
    await this.each([...users], (userId) => {
      const devices = new Set((snapshot.get(userId) ?? []).map((c) => c.deviceId));
      return this.users.change(userId, (r) => withEdgeDevices(r, edgeId, [...devices]));
    });
  }

  /**
   * Removes every device of the edge (its goodbye, or its lease ran out),
   * then its index as listed: keys written after the listing (the edge
   * came back) stay. `stillGone` is asked before the index goes: an edge
   * that reported meanwhile keeps it whole. Users left without devices
   * enter the grace period as of `leftMs` (by default, now).
   */
  async remove(
    edgeId: string,
    options: { stillGone?: () => Promise<boolean>; leftMs?: number } = {},
  ): Promise<number> {
    const { stillGone = async () => true, leftMs } = options;
    const leftAt = leftMs === undefined ? undefined : (nowMs: number) => Math.min(leftMs, nowMs);
    const { tokens: users, lastSeq } = await this.store.usersOnEdge(edgeId);
    await this.each(users, (userId) =>
      this.users.change(userId, (r) => withEdgeDevices(r, edgeId, []), leftAt),
    );
    if (await stillGone()) await this.store.forgetIndex(edgeId, lastSeq);
    return users.length;
  }

  private async each(userIds: string[], run: (userId: string) => Promise<unknown>): Promise<void> {
    await Promise.all(userIds.map((userId) => this.limit(() => run(userId))));
  }
}
