import type pg from "pg";
import type { Logger } from "@parley/common";

const TABLES = ["conversations", "conversation_members", "messages", "user_conversations"];

/**
 * Logs whether the history tables are distributed. The migration
 * distributes them only where the citus extension is installed; on plain
 * Postgres the same schema runs undistributed.
 */
export async function logDistribution(pool: pg.Pool, log: Logger): Promise<void> {
  const citus = await pool.query("SELECT 1 FROM pg_extension WHERE extname = 'citus'");
  if (citus.rowCount === 0) {
    log.info({ citus: false }, "citus absent, tables not distributed");
    return;
  }
  // pg_dist_partition exists only with Citus, hence the query comes second.
  const { rows } = await pool.query<{ table: string; column: string }>(
    `SELECT logicalrelid::regclass::text AS table,
            column_to_column_name(logicalrelid, partkey) AS column
       FROM pg_dist_partition
      WHERE logicalrelid = ANY ($1::regclass[])`,
    [TABLES],
  );
  const distributed = Object.fromEntries(rows.map((r) => [r.table, r.column]));
  log.info({ citus: true, distributed }, "citus present, tables distributed");
}
