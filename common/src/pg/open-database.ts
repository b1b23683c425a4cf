import type pg from "pg";
import type { Logger } from "pino";
import { migrate } from "./migrate.js";
import { createPool } from "./pool.js";

export interface DatabaseSettings {
  url: string;
  schema: string;
  poolSize: number;
  /** Folder of the service's SQL migrations. */
  migrationsDir: string;
  /** The service's own migrations table (see MigrationSettings.table). */
  migrationsTable: string;
  /** Shown in pg_stat_activity. */
  applicationName: string;
}

/**
 * A service's database, ready: its schema migrated first (so nothing is
 * stored before it can be), then its pool. The caller closes the pool.
 */
export async function openDatabase(settings: DatabaseSettings, log: Logger): Promise<pg.Pool> {
  await migrate(
    {
      url: settings.url,
      schema: settings.schema,
      dir: settings.migrationsDir,
      table: settings.migrationsTable,
    },
    log.child({ component: "migrate" }),
  );
  return createPool(
    {
      url: settings.url,
      schema: settings.schema,
      size: settings.poolSize,
      applicationName: settings.applicationName,
    },
    log.child({ component: "postgres" }),
  );
}
