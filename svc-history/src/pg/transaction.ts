import type pg from "pg";

/**
 * Runs `work` in one transaction on a pooled connection: COMMIT when it
 * resolves, ROLLBACK when it throws (the error is rethrown). A connection
 * whose transaction failed is discarded, as its state is not trusted.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    client.release();
    return result;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    client.release(true);
    throw err;
  }
}
