import { fileURLToPath } from "node:url";
import type { Logger } from "@parley/common";
import { migrate as runMigrations } from "@parley/common/pg";

/** The package's migrations folder, from src/pg (tsx) and dist/pg alike. */
export const MIGRATIONS_DIR = fileURLToPath(new URL("../../migrations", import.meta.url));

/** node-pg-migrate's default, kept from before the services shared schemas. */
export const MIGRATIONS_TABLE = "pgmigrations";

/** Brings the history tables up to date, creating the schema when missing. */
export function migrate(url: string, schema: string, log: Logger): Promise<void> {
  return runMigrations({ url, schema, dir: MIGRATIONS_DIR, table: MIGRATIONS_TABLE }, log);
}
