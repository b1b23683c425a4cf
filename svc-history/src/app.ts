import { jetstreamManager } from "@nats-io/jetstream";
import {
  ConsumerGauges,
  connectNats,
  ensureTopology,
  startGrpcServer,
  StreamPublisher,
  topologyFromSettings,
  warnOnDrift,
  type Logger,
  type Shutdown,
} from "@parley/common";
import { ConversationServiceService } from "@parley/proto/parley/history/v1/conversations";
import { HistoryServiceService } from "@parley/proto/parley/history/v1/history";
import { openDatabase } from "@parley/common/pg";
import type { HistoryConfig } from "./config.js";
import { conversationService } from "./grpc/conversation-service.js";
import { historyService } from "./grpc/history-service.js";
import { EventPublisher } from "./nats/event-publisher.js";
import { LogConsumer } from "./nats/log-consumer.js";
import { logDistribution } from "./pg/citus.js";
import { ConversationReader } from "./pg/conversation-reader.js";
import { HistoryReader } from "./pg/history-reader.js";
import { MessageWriter } from "./pg/message-writer.js";
import { MIGRATIONS_DIR, MIGRATIONS_TABLE } from "./pg/migrate.js";
import { RetentionJob } from "./pg/retention.js";
import { LogBound } from "./receipts/log-bound.js";

export interface App {
  grpc_port: number;
}

type Stop = [name: string, run: () => Promise<void>];

/**
 * Starts svc-history: the only place where its parts are wired together.
 * Every part started adds its stop; they are handed to `shutdown` in reverse
 * start order (gRPC, consumer, NATS, Postgres), also when startup fails
 * halfway, so the caller can always run `shutdown` to release what exists.
 */
export async function startApp(
  config: HistoryConfig,
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

async function start(config: HistoryConfig, log: Logger, stops: Stop[]): Promise<App> {
  // Postgres: schema first, so nothing is consumed before it can be stored.
  const pool = await openDatabase(
    {
      url: config.DATABASE_URL,
      schema: config.DATABASE_SCHEMA,
      poolSize: config.DATABASE_POOL_SIZE,
      migrationsDir: MIGRATIONS_DIR,
      migrationsTable: MIGRATIONS_TABLE,
      applicationName: "svc-history",
    },
    log,
  );
  stops.push(["close postgres pool", () => pool.end()]);
  await logDistribution(pool, log.child({ component: "postgres" }));

  // NATS: the log's stream and durable consumer must exist before consuming.
  const nc = await connectNats(config.NATS_URL, "svc-history", log.child({ component: "nats" }));
  stops.push(["drain nats", () => nc.drain()]);
  const topology = topologyFromSettings(config);
  const jsm = await jetstreamManager(nc);
  await ensureTopology(jsm, topology, warnOnDrift(log));

  const consumer = new LogConsumer({
    nc,
    topology,
    sink: new MessageWriter(pool),
    batchMax: config.HISTORY_BATCH_MAX,
    batchWaitMs: config.HISTORY_BATCH_WAIT_MS,
    retryMaxMs: config.HISTORY_RETRY_MAX_MS,
    log,
  });
  consumer.start();
  stops.push(["stop log consumer", () => consumer.stop()]);
  new ConsumerGauges().track(topology.historyConsumer, () =>
    jsm.consumers.info(topology.messagesStream, topology.historyConsumer),
  );

  if (config.HISTORY_RETENTION_DAYS > 0) {
    const retention = new RetentionJob(
      pool,
      {
        windowMs: config.HISTORY_RETENTION_DAYS * 24 * 60 * 60 * 1000,
        intervalMs: config.HISTORY_RETENTION_INTERVAL_MS,
        conversationsPerBatch: config.HISTORY_RETENTION_BATCH,
      },
      log.child({ component: "retention" }),
    );
    retention.start();
    stops.push(["stop retention", () => retention.stop()]);
  }

  // gRPC last: history is served once the service is whole.
  const limits = { defaultLimit: config.HISTORY_PAGE_DEFAULT, maxLimit: config.HISTORY_PAGE_MAX };
  const grpcLog = log.child({ component: "grpc" });
  const appends = new StreamPublisher(nc, config.HISTORY_PUBLISH_TIMEOUT_MS);
  stops.push(["close the event publisher", async () => appends.close()]);
  const publisher = new EventPublisher(nc, appends, topology);
  const reader = new ConversationReader(pool);
  const conversations = conversationService(
    { pool, reader, publisher, maxMembers: config.HISTORY_GROUP_MAX_MEMBERS, log: grpcLog },
    {
      pool,
      reader,
      publisher,
      bound: new LogBound(jsm, topology),
      maxUpdates: config.HISTORY_RECEIPTS_MAX_UPDATES,
      log: grpcLog,
    },
    grpcLog,
  );
  const grpc = await startGrpcServer(
    config.GRPC_ADDRESS,
    [
      {
        name: "parley.history.v1.HistoryService",
        definition: HistoryServiceService,
        implementation: historyService(new HistoryReader(pool), limits, grpcLog),
      },
      {
        name: "parley.history.v1.ConversationService",
        definition: ConversationServiceService,
        implementation: conversations,
      },
    ],
    grpcLog,
  );
  stops.push(["stop grpc", () => grpc.stop(config.GRPC_STOP_GRACE_MS)]);
  return { grpc_port: grpc.port };
}
