import pg from "pg";
import type { Logger } from "pino";

export interface PoolSettings {
  url: string;
  /** Schema every connection uses as search_path; validated as an identifier. */
  schema: string;
  size: number;
  /** Shows in pg_stat_activity: the service's name. */
  applicationName: string;
}

/**
 * A pool whose connections all resolve table names in the service's schema,
 * so queries never spell it and tests can run side by side in one database.
 */
export function createPool(settings: PoolSettings, log: Logger): pg.Pool {
  const pool = new pg.Pool({
    connectionString: settings.url,
    max: settings.size,
    options: `-c search_path="${settings.schema}"`,
    application_name: settings.applicationName,
  });
  // An idle connection that breaks (e.g. Postgres restarts) emits here; without
  // a listener the process would crash. The next query opens a new one.
  pool.on("error", (err) => log.warn({ err }, "idle postgres connection failed"));
  return pool;
}
