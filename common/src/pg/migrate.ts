import { runner } from "node-pg-migrate";
import type { Logger } from "pino";

export interface MigrationSettings {
  url: string;
  /** Schema the tables live in; created when missing. */
  schema: string;
  /** Folder of the service's SQL migrations. */
  dir: string;
  /**
   * node-pg-migrate's bookkeeping table, in `schema`. Services sharing a
   * schema need one each, or each would see the other's migrations as
   * missing files.
   */
  table: string;
}

/**
 * Brings a service's schema up to date. Instances that start together wait
 * on node-pg-migrate's advisory lock instead of failing.
 */
export async function migrate(settings: MigrationSettings, log: Logger): Promise<void> {
  const applied = await runner({
    databaseUrl: settings.url,
    dir: settings.dir,
    direction: "up",
    schema: settings.schema,
    createSchema: true,
    migrationsTable: settings.table,
    advisoryLockMode: "wait",
    singleTransaction: true,
    logger: {
      debug: (msg) => log.debug({ migrate: msg }, "migrate"),
      info: (msg) => log.debug({ migrate: msg }, "migrate"),
      warn: (msg) => log.warn({ migrate: msg }, "migrate"),
      error: (msg) => log.error({ migrate: msg }, "migrate"),
    },
  });
  log.info(
    { schema: settings.schema, applied: applied.map((m) => m.name) },
    "migrations up to date",
  );
}
