import { runner } from "node-pg-migrate";
import { fileURLToPath } from "node:url";
import type { Logger } from "@parley/common";

/** The package's migrations folder, from src/pg (tsx) and dist/pg alike. */
const MIGRATIONS_DIR = fileURLToPath(new URL("../../migrations", import.meta.url));

/**
 * Brings the schema up to date, creating it when missing. Instances that
 * start together wait on node-pg-migrate's advisory lock instead of failing.
 */
export async function migrate(url: string, schema: string, log: Logger): Promise<void> {
  const applied = await runner({
    databaseUrl: url,
    dir: MIGRATIONS_DIR,
    direction: "up",
    schema,
    createSchema: true,
    migrationsTable: "pgmigrations",
    advisoryLockMode: "wait",
    singleTransaction: true,
    logger: {
      debug: (msg) => log.debug({ migrate: msg }, "migrate"),
      info: (msg) => log.debug({ migrate: msg }, "migrate"),
      warn: (msg) => log.warn({ migrate: msg }, "migrate"),
      error: (msg) => log.error({ migrate: msg }, "migrate"),
    },
  });
  log.info({ schema, applied: applied.map((m) => m.name) }, "migrations up to date");
}
