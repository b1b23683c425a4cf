import { jetstreamManager } from "@nats-io/jetstream";
import {
  connectNats,
  startGrpcServer,
  topologyFromSettings,
  type Logger,
  type Shutdown,
} from "@parley/common";
import { openDatabase } from "@parley/common/pg";
import { fileURLToPath } from "node:url";
import type { PresenceConfig } from "./config.js";
import { presenceService } from "./grpc/presence-service.js";
import { PresenceWatches } from "./grpc/presence-watches.js";
import { openBuckets, pendingBucketName, pendingTtlMs } from "./kv/buckets.js";
import { Leases } from "./kv/leases.js";
import { PresenceStore } from "./kv/presence-store.js";
import { logDistribution } from "./pg/citus.js";
import { LastSeenStore } from "./pg/last-seen-store.js";
import { EdgeDevices } from "./presence/edge-devices.js";
import { EdgeReports } from "./presence/edge-reports.js";
import { PresenceReader } from "./presence/presence-reader.js";
import { PresencePublisher } from "./presence/publisher.js";
import { Sweeper } from "./presence/sweeper.js";
import { UserChanges } from "./presence/user-changes.js";

/** The package's migrations folder, from src (tsx) and dist alike. */
const MIGRATIONS_DIR = fileURLToPath(new URL("../migrations", import.meta.url));

export interface App {
  grpc_port: number;
}

type Stop = [name: string, run: () => Promise<void>];

/**
 * Starts svc-presence: the only place where its parts are wired together.
 * Every part started adds its stop; they are handed to `shutdown` in
 * reverse start order (gRPC and watches, sweeper, NATS, Postgres), also
 * when startup fails halfway.
 */
export async function startApp(
  config: PresenceConfig,
  log: Logger,
  shutdown: Shutdown,
): Promise<App> {
  const stops: Stop[] = [];
  try {
    return await start(config, log, stops);
  } finally {
    for (const [name, run] of stops.reverse()) shutdown.add(name, run);
  }
}

async function start(config: PresenceConfig, log: Logger, stops: Stop[]): Promise<App> {
  // Postgres: last seen, in the service's own migrations table.
  const pool = await openDatabase(
    {
      url: config.DATABASE_URL,
      schema: config.DATABASE_SCHEMA,
      poolSize: config.DATABASE_POOL_SIZE,
      migrationsDir: MIGRATIONS_DIR,
      migrationsTable: "presence_migrations",
      applicationName: "svc-presence",
    },
    log,
  );
  stops.push(["close postgres pool", () => pool.end()]);
  await logDistribution(pool, log.child({ component: "postgres" }));
  const lastSeen = new LastSeenStore(pool);

  // NATS: the three buckets, then the parts that write them.
  const nc = await connectNats(config.NATS_URL, "svc-presence", log.child({ component: "nats" }));
  stops.push(["drain nats", () => nc.drain()]);
  const topology = topologyFromSettings(config);
  const jsm = await jetstreamManager(nc);
  const markTtlMs = pendingTtlMs(config.PRESENCE_OFFLINE_GRACE_MS);
  const buckets = await openBuckets(
    nc,
    jsm,
    topology,
    {
      leaseTtlMs: config.PRESENCE_LEASE_TTL_MS,
      pendingTtlMs: markTtlMs,
      replicas: config.PARLEY_STREAM_REPLICAS,
    },
    log,
  );
  const store = new PresenceStore(buckets.presence, buckets.pending, jsm, {
    presence: topology.presenceBucket,
    pending: pendingBucketName(topology),
  });
  const leases = new Leases(buckets.leases);
  const publisher = new PresencePublisher(nc, topology);
  const devices = new EdgeDevices(
    store,
    new UserChanges(store, publisher),
    config.PRESENCE_STORE_CONCURRENCY,
  );

  const sweeper = new Sweeper(
    store,
    leases,
    devices,
    lastSeen,
    publisher,
    {
      intervalMs: config.PRESENCE_SWEEP_INTERVAL_MS,
      graceMs: config.PRESENCE_OFFLINE_GRACE_MS,
      leaseTtlMs: config.PRESENCE_LEASE_TTL_MS,
      concurrency: config.PRESENCE_STORE_CONCURRENCY,
    },
    log.child({ component: "sweeper" }),
  );
  sweeper.start();
  stops.push(["stop sweeper", () => sweeper.stop()]);

  // gRPC last: presence is served once the service is whole.
  const grpcLog = log.child({ component: "grpc" });
  const reader = new PresenceReader(store, lastSeen, config.PRESENCE_STORE_CONCURRENCY, markTtlMs);
  const watches = new PresenceWatches(nc, topology, reader, grpcLog);
  const grpc = await startGrpcServer(
    config.GRPC_ADDRESS,
    [
      presenceService({
        reports: new EdgeReports(store, leases, devices, log.child({ component: "reports" })),
        reader,
        watches,
        maxEventsPerReport: config.PRESENCE_MAX_EVENTS_PER_REPORT,
        maxUsersPerCall: config.PRESENCE_MAX_USERS_PER_CALL,
        leaseTtlMs: config.PRESENCE_LEASE_TTL_MS,
        log: grpcLog,
      }),
    ],
    grpcLog,
  );
  // Watch streams last until the caller cancels: they are ended first, or
  // the server would wait the whole grace period for them.
  stops.push([
    "stop grpc",
    async () => {
      watches.endAll();
      await grpc.stop(config.GRPC_STOP_GRACE_MS);
    },
  ]);
  return { grpc_port: grpc.port };
}
