// An OTLP/HTTP endpoint that accepts and discards exports, so a benchmark
// can run the services with tracing on and count what they send without a
// collector's own cost on the two cores:
//
//   npx tsx bench/otlp-sink.ts --port 4318
//
// then start the system with OTEL_TRACES_EXPORTER=otlp and
// OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318. Prints the exports
// and bytes received each 5 s.
import { createServer } from "node:http";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { port: { type: "string", default: "4318" } } });
let exports = 0;
let bytes = 0;
const server = createServer((request, response) => {
  request.on("data", (chunk: Buffer) => (bytes += chunk.length));
  request.on("end", () => {
    exports++;
    response.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
});
server.listen(Number(values.port), "127.0.0.1", () => {
  process.stdout.write(`otlp sink on http://127.0.0.1:${values.port}\n`);
});
setInterval(() => {
  process.stdout.write(`${new Date().toISOString()} exports=${exports} bytes=${bytes}\n`);
}, 5_000).unref();
process.on("SIGINT", () => server.close(() => process.exit(0)));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
