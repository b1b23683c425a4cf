import pg from "pg";
import { TEST_DATABASE_URL } from "../../testkit/env.js";
import { eventually } from "../../testkit/eventually.js";

/** How often each message id is stored in svc-history's tables. */
export async function storedCounts(schema: string): Promise<Map<string, number>> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ message_id: string; n: string }>(
      `SELECT message_id, count(*) AS n FROM "${schema}".messages GROUP BY message_id`,
    );
    return new Map(rows.map((r) => [r.message_id, Number(r.n)]));
  } finally {
    await client.end();
  }
}

/** Polls until every id is stored at least once, then returns the counts. */
export async function waitUntilStored(
  schema: string,
  ids: Iterable<string>,
  timeoutMs = 60_000,
): Promise<Map<string, number>> {
  const wanted = [...ids];
  let counts = new Map<string, number>();
  const missing = () => wanted.filter((id) => !counts.has(id));
  await eventually(
    async () => {
      counts = await storedCounts(schema);
      return missing().length === 0;
    },
    timeoutMs,
    () => `every message stored (${missing().length} missing)`,
    200,
  );
  return counts;
}
