import { mkdirSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { answers } from "./probe.js";

const LOCAL_DATABASE = "parley";
const EMBEDDED_PORT = 5433;

/**
 * Postgres for a local run: DATABASE_URL if set, else the server on
 * 127.0.0.1:5432 (database `parley`, created when missing), else an
 * embedded PGlite served over the Postgres wire protocol from .data/.
 */
export async function localPostgres(dataDir, say) {
  if (process.env.DATABASE_URL) {
    say("postgres: using DATABASE_URL");
    return { url: process.env.DATABASE_URL };
  }
  if (await answers("127.0.0.1", 5432)) {
    const admin = "postgres://postgres@127.0.0.1:5432/postgres";
    await ensureDatabase(admin, LOCAL_DATABASE);
    say(`postgres: using 127.0.0.1:5432, database ${LOCAL_DATABASE}`);
    return { url: `postgres://postgres@127.0.0.1:5432/${LOCAL_DATABASE}` };
  }
  return embeddedPostgres(dataDir, say);
}

async function ensureDatabase(adminUrl, name) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}

async function embeddedPostgres(dataDir, say) {
  const { PGlite } = await import("@electric-sql/pglite");
  const { PGLiteSocketServer } = await import("@electric-sql/pglite-socket");
  const dir = join(dataDir, "pglite");
  mkdirSync(dir, { recursive: true });
  const db = await PGlite.create(dir);
  // PGlite runs one query at a time; the server multiplexes connections.
  const server = new PGLiteSocketServer({
    db,
    host: "127.0.0.1",
    port: EMBEDDED_PORT,
    maxConnections: 16,
  });
  await server.start();
  say(`postgres: no server found, started embedded PGlite in ${dir} on port ${EMBEDDED_PORT}`);
  return {
    url: `postgres://postgres@127.0.0.1:${EMBEDDED_PORT}/postgres`,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}
