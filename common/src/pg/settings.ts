import { makeValidator, str } from "envalid";
import { intIn } from "../validators.js";

/** A plain Postgres identifier, so it can be quoted into DDL safely. */
const schemaName = makeValidator<string>((input) => {
  if (input !== "" && !/^[a-z_][a-z0-9_]{0,62}$/.test(input)) {
    throw new Error(`expected a lower-case Postgres identifier, got "${input}"`);
  }
  return input;
});

/**
 * The Postgres keys of a service's config schema: where the database is,
 * the schema the service's tables live in, and how many connections it
 * holds. `tables` names what the schema holds, for the description.
 */
export function postgresSettings(tables: string, poolSize: { default: number; why?: string }) {
  return {
    DATABASE_URL: str({
      default: "postgres://postgres@127.0.0.1:5432/parley",
      desc: "Postgres (or Citus coordinator) connection string.",
    }),
    DATABASE_SCHEMA: schemaName({
      default: "",
      desc: `Schema holding ${tables}; created if missing and used as search_path. Empty means PARLEY_NAMESPACE, so two deployments on one NATS and one database never mix.`,
    }),
    DATABASE_POOL_SIZE: intIn(
      1,
      1_000,
    )({
      default: poolSize.default,
      desc: `Most Postgres connections the service holds${poolSize.why ? ` (${poolSize.why})` : ""}.`,
    }),
  };
}
