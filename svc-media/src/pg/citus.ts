import type pg from "pg";
import type { Logger } from "@parley/common";

/**
 * Logs whether the media tables are distributed. The migration distributes
 * them only where the citus extension is installed; plain Postgres runs
 * them as they are.
 */
export async function logDistribution(pool: pg.Pool, log: Logger): Promise<void> {
  const citus = await pool.query("SELECT 1 FROM pg_extension WHERE extname = 'citus'");
  if (citus.rowCount === 0) {
    log.info({ citus: false }, "citus absent, media tables not distributed");
    return;
  }
  // pg_dist_partition exists only with Citus, hence the query comes second.
  const { rows } = await pool.query<{ table: string; column: string }>(
    `SELECT logicalrelid::text AS table, column_to_column_name(logicalrelid, partkey) AS column
       FROM pg_dist_partition
      WHERE logicalrelid IN ('media'::regclass, 'media_attachments'::regclass)`,
  );
  log.info(
    { citus: true, distributed: Object.fromEntries(rows.map((r) => [r.table, r.column])) },
    "citus present, media tables distributed",
  );
}
