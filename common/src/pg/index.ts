// Postgres helpers, a separate entry point ("@parley/common/pg") so that
// services without a database do not load pg and node-pg-migrate.
export { createPool, type PoolSettings } from "./pool.js";
export { migrate, type MigrationSettings } from "./migrate.js";
export { postgresSettings } from "./settings.js";
export { openDatabase, type DatabaseSettings } from "./open-database.js";
