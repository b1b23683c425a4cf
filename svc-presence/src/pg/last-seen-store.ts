import type pg from "pg";

export interface LastSeen {
  userId: string;
  lastSeenMs: number;
}

/** The last_seen table: last seen per user, never moving back in time. */
export class LastSeenStore {
  constructor(private readonly pool: pg.Pool) {}

  /** Stores many at once; an older time than the stored one changes nothing. */
  async save(entries: LastSeen[]): Promise<void> {
    if (entries.length === 0) return;
    await this.pool.query(
      `INSERT INTO last_seen (user_id, last_seen_at)
       SELECT user_id, to_timestamp(ms / 1000.0)
         FROM unnest($1::text[], $2::bigint[]) AS t (user_id, ms)
       ON CONFLICT (user_id) DO UPDATE
         SET last_seen_at = GREATEST(last_seen.last_seen_at, EXCLUDED.last_seen_at)`,
      [entries.map((e) => e.userId), entries.map((e) => e.lastSeenMs)],
    );
  }

  /** Last seen of those users that have one, ms. */
  async find(userIds: string[]): Promise<Map<string, number>> {
    if (userIds.length === 0) return new Map();
    const { rows } = await this.pool.query<{ user_id: string; ms: string }>(
      `SELECT user_id, (extract(epoch FROM last_seen_at) * 1000)::bigint AS ms
         FROM last_seen
        WHERE user_id = ANY ($1::text[])`,
      [userIds],
    );
    return new Map(rows.map((r) => [r.user_id, Number(r.ms)]));
  }
}
