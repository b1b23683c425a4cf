// Removes everything one Parley namespace keeps: its NATS streams and KV
// buckets and its Postgres schema. For systems started beside others with
// PARLEY_NAMESPACE (see the README); stop the system first.
//
//   npm run -s drop-namespace -- second
//
// NATS_URL and DATABASE_URL say where, defaulting to what `npm start` uses
// when it finds local servers. (An embedded PGlite keeps its data under
// .data/pglite: delete the folder instead.)
import { dropNatsNamespace, dropSchema } from "../testkit/cleanup.js";

const namespace = process.argv[2];
if (!namespace || !/^[a-z][a-z0-9_]{0,31}$/.test(namespace)) {
  process.stderr.write("usage: npm run -s drop-namespace -- <namespace>\n");
  process.exit(2);
}
if (namespace === "parley" && !process.argv.includes("--yes")) {
  process.stderr.write("refusing to drop the default namespace without --yes\n");
  process.exit(2);
}
await dropNatsNamespace(namespace, process.env.NATS_URL ?? "nats://127.0.0.1:4222");
await dropSchema(
  namespace,
  process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/parley",
);
process.stdout.write(`dropped namespace ${namespace}: NATS streams and buckets, Postgres schema\n`);
