import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import pg from "pg";
import { TEST_DATABASE_URL, TEST_NATS_URL } from "./env.js";

/** Removes the streams and KV buckets of one namespace. */
export async function dropNatsNamespace(namespace: string, natsUrl = TEST_NATS_URL): Promise<void> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    const prefixes = [`${namespace.toUpperCase()}_`, `KV_${namespace}_`];
    for await (const name of jsm.streams.names()) {
      if (prefixes.some((p) => name.startsWith(p))) await jsm.streams.delete(name);
    }
  } finally {
    await nc.close();
  }
}

/** Drops the Postgres schema of one namespace. */
export async function dropSchema(schema: string, databaseUrl = TEST_DATABASE_URL): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
