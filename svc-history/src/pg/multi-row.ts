import type pg from "pg";

/** Postgres accepts at most 65535 bind parameters per statement. */
const MAX_PARAMS = 65_535;

/**
 * Runs `INSERT ... VALUES (..), (..) <tail>` for all rows, in as few
 * statements as the bind-parameter limit allows. Multi-row VALUES (rather
 * than unnest or COPY) because Citus routes each row of such an insert to
 * its shard, and ON CONFLICT keeps the write idempotent. Returns the number
 * of rows inserted or updated.
 */
export async function insertRows(
  client: pg.ClientBase,
  head: string,
  rows: unknown[][],
  tail: string,
): Promise<number> {
  const width = rows[0]?.length ?? 0;
  if (width === 0) return 0;
  const perStatement = Math.floor(MAX_PARAMS / width);
  let affected = 0;
  for (let start = 0; start < rows.length; start += perStatement) {
    const chunk = rows.slice(start, start + perStatement);
    const sql = `${head} VALUES ${placeholders(chunk.length, width)} ${tail}`;
    const result = await client.query(sql, chunk.flat());
    affected += result.rowCount ?? 0;
  }
  return affected;
}

/** "($1, $2), ($3, $4)" for 2 rows of width 2. */
function placeholders(count: number, width: number): string {
  const tuples: string[] = [];
  for (let r = 0; r < count; r++) {
    const cells = Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`);
    tuples.push(`(${cells.join(", ")})`);
  }
  return tuples.join(", ");
}
