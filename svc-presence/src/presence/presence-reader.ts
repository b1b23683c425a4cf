import type { UserPresence } from "@parley/proto/parley/presence/v1/presence";
import pLimit, { type LimitFunction } from "p-limit";
import { isOnline } from "../domain/presence-record.js";
import type { PresenceStore } from "../kv/presence-store.js";
import type { LastSeenStore } from "../pg/last-seen-store.js";

/**
 * The current presence of users: from their records, with last seen from
 * Postgres for users the bucket has no record of (it was recreated, or
 * they were offline since before it existed).
 */
export class PresenceReader {
  private readonly limit: LimitFunction;

  constructor(
    private readonly store: PresenceStore,
    private readonly lastSeen: LastSeenStore,
    concurrency: number,
  ) {
    this.limit = pLimit(concurrency);
  }

  /** One per id, in the order given. */
  async read(userIds: string[]): Promise<UserPresence[]> {
    const records = await Promise.all(
      userIds.map((id) => this.limit(async () => (await this.store.read(id)).record)),
    );
    const presences = userIds.map((userId, i): UserPresence => {
      const record = records[i]!;
      return isOnline(record)
        ? { userId, online: true, lastSeenMs: 0 }
        : { userId, online: false, lastSeenMs: record.last_seen_ms };
    });
    const unknown = presences.filter((p) => !p.online && p.lastSeenMs === 0);
    if (unknown.length > 0) {
      const stored = await this.lastSeen.find([...new Set(unknown.map((p) => p.userId))]);
      for (const p of unknown) p.lastSeenMs = stored.get(p.userId) ?? 0;
    }
    return presences;
  }
}
