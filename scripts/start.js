// Runs the whole system on one machine with embedded defaults: NATS,
// Postgres and S3-compatible storage (found or started, see local/), then
// svc-history, svc-presence, svc-media, svc-delivery and svc-edge, each its
// own process. Ctrl-C stops everything in order.
import { fileURLToPath } from "node:url";
import { localNats } from "./local/nats.js";
import { localPostgres } from "./local/postgres.js";
import { answers } from "./local/probe.js";
import { localS3 } from "./local/s3.js";
import { startLocalService, stopOne } from "./local/services.js";

if (Number(process.versions.node.split(".")[0]) < 24) {
  process.stderr.write(
    `[start] Parley needs Node 24, found ${process.version}: run \`npm start\`, ` +
      "which uses the Node the project pins\n",
  );
  process.exit(1);
}

const root = fileURLToPath(new URL("..", import.meta.url));
const dataDir = process.env.PARLEY_DATA_DIR ?? `${root}.data`;
const say = (line) => process.stdout.write(`[start] ${line}\n`);

// One port for clients, five consecutive ones for the services' gRPC.
const httpPort = Number(process.env.PARLEY_HTTP_PORT ?? 8080);
const grpcBase = Number(process.env.PARLEY_GRPC_PORT_BASE ?? 7100);
const grpcAddress = {
  edge: `127.0.0.1:${grpcBase}`,
  delivery: `127.0.0.1:${grpcBase + 1}`,
  history: `127.0.0.1:${grpcBase + 2}`,
  presence: `127.0.0.1:${grpcBase + 3}`,
  media: `127.0.0.1:${grpcBase + 4}`,
};
// Where the local S3-compatible server listens (clients upload to it).
const S3_PORT = 4568;
const serviceEnv = {
  history: { GRPC_ADDRESS: grpcAddress.history },
  presence: { GRPC_ADDRESS: grpcAddress.presence },
  media: { GRPC_ADDRESS: grpcAddress.media, HISTORY_ADDRESS: grpcAddress.history },
  delivery: {
    GRPC_ADDRESS: grpcAddress.delivery,
    HISTORY_ADDRESS: grpcAddress.history,
    MEDIA_ADDRESS: grpcAddress.media,
  },
  edge: {
    GRPC_ADDRESS: grpcAddress.edge,
    EDGE_HTTP_ADDRESS: `127.0.0.1:${httpPort}`,
    DELIVERY_ADDRESS: grpcAddress.delivery,
    HISTORY_ADDRESS: grpcAddress.history,
    PRESENCE_ADDRESS: grpcAddress.presence,
    MEDIA_ADDRESS: grpcAddress.media,
    // The web client (built by npm run build) and its sign-in, local only.
    EDGE_WEB_DIR: `${root}web/dist`,
    EDGE_DEV_TOKENS: "true",
  },
};

const stops = [];
const children = [];
let stopping = false;

async function stop(code) {
  if (stopping) return;
  stopping = true;
  say("stopping services");
  // Front to back: the edge stops taking sends while delivery still answers.
  for (const child of [...children].reverse()) await stopOne(child);
  for (const s of stops.reverse()) await s();
  say("stopped");
  process.exit(code);
}
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));
// `npm start` runs this under a shell that a SIGTERM to npm kills without
// passing it on; once orphaned (a new parent), stop as if told to.
const parent = process.ppid;
setInterval(() => process.ppid !== parent && void stop(0), 500).unref();

try {
  const nats = await localNats(dataDir, say);
  if (nats.stop) stops.push(nats.stop);
  const postgres = await localPostgres(dataDir, say);
  if (postgres.stop) stops.push(postgres.stop);

  const s3 = await findOrStartS3();
  if (s3.stop) stops.push(s3.stop);

  const env = { NATS_URL: nats.url, DATABASE_URL: postgres.url };
  serviceEnv.media = { ...serviceEnv.media, ...s3.env };
  const names = ["history", "presence", "media", "delivery", "edge"];
  for (const [index, name] of names.entries()) {
    const { child } = await startLocalService(root, name, {
      ...env,
      ...serviceEnv[name],
      ...metricsEnv(name, index),
    });
    children.push(child);
    child.once("exit", (code, signal) => {
      if (!stopping) {
        // A development launcher: it does not restart services. Stopping
        // everything makes a crash impossible to miss; run it again.
        say(`svc-${name} exited (${signal ?? `code ${code}`}); stopping the rest`);
        void stop(1);
      }
    });
  }
  say(
    `Parley is up. Web client: http://127.0.0.1:${httpPort}  WebSocket: ws://127.0.0.1:${httpPort}/ws`,
  );
  say("Get a token for a test user with: npm run -s token -- alice   (then send a hello frame)");
} catch (err) {
  say(`failed to start: ${err.message}`);
  await stop(1);
}

/**
 * With OTEL_METRICS_EXPORTER=prometheus, one scrape port per service:
 * OTEL_EXPORTER_PROMETHEUS_PORT (default 9464) for svc-history, the next
 * ones for the others in start order, on 127.0.0.1 unless
 * OTEL_EXPORTER_PROMETHEUS_HOST says otherwise.
 */
function metricsEnv(name, index) {
  const exporters = (process.env.OTEL_METRICS_EXPORTER ?? "").split(",").map((e) => e.trim());
  if (!exporters.includes("prometheus")) return {};
  const port = Number(process.env.OTEL_EXPORTER_PROMETHEUS_PORT || 9464) + index;
  const host = process.env.OTEL_EXPORTER_PROMETHEUS_HOST || "127.0.0.1";
  say(`metrics: svc-${name} on http://${host}:${port}/metrics`);
  return { OTEL_EXPORTER_PROMETHEUS_PORT: String(port), OTEL_EXPORTER_PROMETHEUS_HOST: host };
}

/**
 * S3_ENDPOINT if set (svc-media then reads every S3_* setting from the
 * environment), else the local server another launcher started on S3_PORT,
 * else a new one in this process with its objects under .data/s3.
 * Returns svc-media's storage settings and, for a new server, its stop.
 */
async function findOrStartS3() {
  if (process.env.S3_ENDPOINT) {
    say(`s3: using S3_ENDPOINT=${process.env.S3_ENDPOINT}`);
    return { env: {} };
  }
  if (await answers("127.0.0.1", S3_PORT)) {
    say(`s3: using the local server on 127.0.0.1:${S3_PORT}`);
    return { env: localS3Env(`http://127.0.0.1:${S3_PORT}`) };
  }
  const s3 = await localS3(dataDir, say, S3_PORT);
  return { env: localS3Env(s3.endpoint), stop: s3.stop };
}

/** svc-media's settings for the local server: its fixed keys, a bucket made on start. */
function localS3Env(endpoint) {
  return {
    S3_ENDPOINT: endpoint,
    S3_ACCESS_KEY_ID: "S3RVER",
    S3_SECRET_ACCESS_KEY: "S3RVER",
    S3_FORCE_PATH_STYLE: "true",
    S3_CREATE_BUCKET: "true",
  };
}
