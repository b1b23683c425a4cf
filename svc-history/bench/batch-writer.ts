/**
 * Measures how fast svc-history drains a backlog of the conversation log
 * into Postgres: it publishes N text events (across C 1:1 conversations)
 * while no history consumer runs, then starts the built service and times
 * from its `ready` line until Postgres holds all N rows.
 *
 *   npx tsx svc-history/bench/batch-writer.ts [N] [C] [HISTORY_BATCH_MAX]
 *
 * Needs the test NATS and Postgres (testkit/env.ts) and a build.
 */
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import {
  directConversationId,
  ensureTopology,
  loadConfig,
  natsSettings,
  topologyFromSettings,
} from "@parley/common";
import { ConversationEvent } from "@parley/proto/parley/events/v1/events";
import pg from "pg";
import { dropNatsNamespace, dropSchema } from "../../testkit/cleanup.js";
import { baseEnv, TEST_DATABASE_URL, TEST_NATS_URL, uniqueNamespace } from "../../testkit/env.js";
import { startService } from "../../testkit/service.js";

const total = Number(process.argv[2] ?? 50_000);
const conversations = Number(process.argv[3] ?? 500);
const batchMax = process.argv[4] ?? "500";

const ns = uniqueNamespace();
const env = { ...baseEnv(ns), GRPC_ADDRESS: "127.0.0.1:0", HISTORY_BATCH_MAX: batchMax };
const topology = topologyFromSettings(loadConfig(natsSettings, { env }));
const nc = await connect({ servers: TEST_NATS_URL });
const db = new pg.Client({ connectionString: TEST_DATABASE_URL });
await db.connect();
try {
  await ensureTopology(await jetstreamManager(nc), topology);
  const js = jetstream(nc);
  const body = "x".repeat(100);
  for (let start = 0; start < total; start += 5_000) {
    const acks = [];
    for (let i = start; i < Math.min(total, start + 5_000); i++) {
      const a = `u${i % conversations}`;
      const conversationId = directConversationId(a, "bench");
      const event = ConversationEvent.encode({
        messageId: `m${i}`,
        conversationId,
        seq: 0,
        senderId: a,
        senderDeviceId: "d",
        clientMessageId: `c${i}`,
        sentAtMs: Date.now(),
        memberIds: [a, "bench"],
        membershipVersion: 0,
        text: { body, media: undefined },
      }).finish();
      acks.push(js.publish(topology.messageSubject(conversationId), event));
    }
    await Promise.all(acks);
  }

  const service = await startService("history", env);
  const started = performance.now();
  for (;;) {
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM "${ns}".messages`);
    if (rows[0].n >= total) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const seconds = (performance.now() - started) / 1000;
  await service.stop();
  console.log(
    JSON.stringify({
      messages: total,
      conversations,
      batch_max: Number(batchMax),
      seconds: Number(seconds.toFixed(2)),
      rows_per_second: Math.round(total / seconds),
    }),
  );
} finally {
  await nc.close();
  await db.end();
  await dropNatsNamespace(ns);
  await dropSchema(ns);
}
