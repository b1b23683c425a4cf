import type { UserPresence } from "@parley/proto/parley/presence/v1/presence";
import pLimit, { type LimitFunction } from "p-limit";
import { hasDevices, isOnline, type PresenceRecord } from "../domain/presence-record.js";
import type { PresenceStore } from "../kv/presence-store.js";
import type { LastSeenStore } from "../pg/last-seen-store.js";

/**
 * The current presence of users: from their records, with last seen from
 * Postgres for users the bucket has no record of (it was recreated, or
 * they were offline since before it existed).
 *
 * A record still in its grace period after the pending bucket's TTL has
 * lost its mark (the sweepers were stopped that long), and the sweeper
 * would never take the user offline: reading it writes the mark again, so
 * the next sweep does. Such a user shows online until then.
 */
export class PresenceReader {
  private readonly limit: LimitFunction;

  constructor(
    private readonly store: PresenceStore,
    private readonly lastSeen: LastSeenStore,
    concurrency: number,
    private readonly markTtlMs: number,
  ) {
    this.limit = pLimit(concurrency);
  }

  /** One per id, in the order given. */
  async read(userIds: string[]): Promise<UserPresence[]> {
    const records = await Promise.all(
      userIds.map((id) =>
        this.limit(async () => {
          const { record, revision } = await this.store.read(id);
          await this.remark(id, record);
          return { record, revision };
        }),
      ),
    );
    const presences = userIds.map((userId, i): UserPresence => {
      const { record, revision: version } = records[i]!;
      return isOnline(record)
        ? { userId, online: true, lastSeenMs: 0, version }
        : { userId, online: false, lastSeenMs: record.last_seen_ms, version };
    });
    const unknown = presences.filter((p) => !p.online && p.lastSeenMs === 0);
    if (unknown.length > 0) {
      const stored = await this.lastSeen.find([...new Set(unknown.map((p) => p.userId))]);
      for (const p of unknown) p.lastSeenMs = stored.get(p.userId) ?? 0;
    }
    return presences;
  }

  /** Writes the pending mark of a grace period that outlived it. */
  private async remark(userId: string, record: PresenceRecord): Promise<void> {
    const since = record.offline_since_ms;
    if (since === undefined || hasDevices(record) || since + this.markTtlMs > Date.now()) return;
    await this.store.markPending(userId, since);
  }
}
