import type pg from "pg";
import type { Logger } from "@parley/common";

/**
 * Logs whether last_seen is distributed. The migration distributes it only
 * where the citus extension is installed; plain Postgres runs it as is.
 */
export async function logDistribution(pool: pg.Pool, log: Logger): Promise<void> {
  const citus = await pool.query("SELECT 1 FROM pg_extension WHERE extname = 'citus'");
  if (citus.rowCount === 0) {
    log.info({ citus: false }, "citus absent, last_seen not distributed");
    return;
  }
  // pg_dist_partition exists only with Citus, hence the query comes second.
  const { rows } = await pool.query<{ column: string }>(
    `SELECT column_to_column_name(logicalrelid, partkey) AS column
       FROM pg_dist_partition
      WHERE logicalrelid = 'last_seen'::regclass`,
  );
  log.info(
    { citus: true, distributed: rows[0]?.column ?? null },
    "citus present, last_seen distributed",
  );
}
