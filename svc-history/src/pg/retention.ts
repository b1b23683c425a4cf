import type { Logger } from "@parley/common";
import type pg from "pg";

export interface RetentionOptions {
  /** Messages sent longer ago than this are deleted. */
  windowMs: number;
  /** Time between two passes. */
  intervalMs: number;
  /** Conversations covered by one DELETE statement. */
  conversationsPerBatch: number;
}

/**
 * Deletes messages older than the retention window. A pass walks the
 * conversations by keyset and deletes one bounded batch of them per
 * statement, so it never holds long locks or one huge transaction, and every
 * statement names the distribution column (Citus routes it to the shards of
 * those conversations only). Conversations and memberships stay.
 */
export class RetentionJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: RetentionOptions,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      // Passes never overlap: a slow one simply skips the next tick.
      this.running ??= this.runOnce()
        .catch((err: unknown) => {
          this.log.error({ err }, "retention pass failed");
          return 0;
        })
        .finally(() => (this.running = undefined));
    }, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass over every conversation; returns how many messages it deleted. */
  async runOnce(now = Date.now()): Promise<number> {
    const cutoff = new Date(now - this.options.windowMs);
    let after = "";
    let deleted = 0;
    for (;;) {
      const { rows } = await this.pool.query<{ conversation_id: string }>(
        `SELECT conversation_id FROM conversations WHERE conversation_id > $1
          ORDER BY conversation_id LIMIT $2`,
        [after, this.options.conversationsPerBatch],
      );
      if (rows.length === 0) break;
      const ids = rows.map((r) => r.conversation_id);
      const result = await this.pool.query(
        "DELETE FROM messages WHERE conversation_id = ANY($1) AND sent_at < $2",
        [ids, cutoff],
      );
      deleted += result.rowCount ?? 0;
      after = ids.at(-1)!;
    }
    this.log.info({ deleted, cutoff: cutoff.toISOString() }, "retention pass done");
    return deleted;
  }
}
