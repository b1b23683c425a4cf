/**
 * Measures group fanout: N messages sent with SendMessage to groups of S
 * members (W calls in flight), timed from the first send until the INBOX
 * stream holds every member's copy. The figure is members delivered per
 * second (inbox entries written per second).
 *
 *   npx tsx svc-delivery/bench/group-fanout.ts --messages 5000 --groups 100
 *
 * Runs the built svc-delivery as its own process against the test NATS
 * (testkit/env.ts). Member lists come from a fake svc-history in this
 * process (the test's FakeHistory): each group is read once, before the
 * clock starts, so history's speed is not part of the figure.
 */
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import {
  callUnary,
  createClient,
  groupConversationId,
  loadConfig,
  natsSettings,
  ParleyError,
  topologyFromSettings,
} from "@parley/common";
import {
  DeliveryServiceClient,
  type SendMessageRequest,
  type SendMessageResponse,
} from "@parley/proto/parley/delivery/v1/delivery";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { dropNatsNamespace } from "../../testkit/cleanup.js";
import { baseEnv, TEST_NATS_URL, uniqueNamespace } from "../../testkit/env.js";
import { startService } from "../../testkit/service.js";
import { FakeHistory } from "../test/support/fake-history.js";

const { values } = parseArgs({
  options: {
    messages: { type: "string", default: "5000" },
    groups: { type: "string", default: "100" },
    size: { type: "string", default: "10" },
    window: { type: "string", default: "200" },
    partitions: { type: "string", default: "8" },
    out: { type: "string", default: "/tmp/parley-bench/group-fanout.json" },
  },
});
const messages = Number(values.messages);
const groupCount = Number(values.groups);
const size = Number(values.size);
const window = Number(values.window);

const ns = uniqueNamespace();
const env = {
  ...baseEnv(ns),
  PARLEY_PARTITIONS: values.partitions!,
  GRPC_ADDRESS: "127.0.0.1:0",
  LOG_LEVEL: "warn",
};
const topology = topologyFromSettings(loadConfig(natsSettings, { env }));
const history = await FakeHistory.start();
const service = await startService("delivery", { ...env, HISTORY_ADDRESS: history.address });
const client = createClient(DeliveryServiceClient, `127.0.0.1:${service.ready.grpc_port}`);
const nc = await connect({ servers: TEST_NATS_URL });
const jsm = await jetstreamManager(nc);

let retries = 0;
/** One send, retried like a client when the service is overloaded. */
async function send(request: Partial<SendMessageRequest>): Promise<SendMessageResponse> {
  for (;;) {
    try {
      return await callUnary<SendMessageRequest, SendMessageResponse>(
        client,
        client.sendMessage,
        {
          senderId: "",
          senderDeviceId: "bench",
          clientMessageId: "",
          recipientId: "",
          conversationId: "",
          mediaId: "",
          body: "x".repeat(100),
          retry: false,
          ...request,
        },
        30_000,
      );
    } catch (err) {
      if (!(err instanceof ParleyError) || err.code !== "unavailable") throw err;
      retries++;
      await sleep(100);
    }
  }
}

const inboxEntries = async () => (await jsm.streams.info(topology.inboxStream)).state.messages;

try {
  const groups = Array.from({ length: groupCount }, (_, g) => {
    const id = groupConversationId(`b${g}m0`, "bench");
    const members = Array.from({ length: size }, (_, m) => `b${g}m${m}`);
    history.groups.set(id, { version: 1, memberIds: members });
    return { id, members };
  });
  // Warm the membership cache: one send per group, outside the clock.
  await Promise.all(
    groups.map((g) =>
      send({ senderId: g.members[0], conversationId: g.id, clientMessageId: "warm" }),
    ),
  );
  const warm = groups.length * size;
  while ((await inboxEntries()) < warm) await sleep(20);

  const started = performance.now();
  let next = 0;
  let acceptedAt = 0;
  const worker = async () => {
    for (let i = next++; i < messages; i = next++) {
      const group = groups[i % groups.length]!;
      const sender = group.members[Math.floor(i / groups.length) % size]!;
      await send({ senderId: sender, conversationId: group.id, clientMessageId: `m${i}` });
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, messages) }, worker));
  acceptedAt = performance.now();
  const expected = warm + messages * size;
  while ((await inboxEntries()) < expected) await sleep(10);
  const seconds = (performance.now() - started) / 1000;
  const acceptSeconds = (acceptedAt - started) / 1000;

  const result = {
    date: new Date().toISOString().slice(0, 10),
    messages,
    groups: groupCount,
    group_size: size,
    window,
    partitions: Number(values.partitions),
    inbox_entries: messages * size,
    seconds: Number(seconds.toFixed(2)),
    sends_accepted_per_second: Math.round(messages / acceptSeconds),
    members_delivered_per_second: Math.round((messages * size) / seconds),
    retried_sends: retries,
    membership_reads: history.reads.length,
  };
  console.table({
    "sends accepted": {
      per_second: result.sends_accepted_per_second,
      seconds: Number(acceptSeconds.toFixed(2)),
    },
    "members delivered": {
      per_second: result.members_delivered_per_second,
      seconds: result.seconds,
    },
  });
  console.log(JSON.stringify(result));
  mkdirSync(dirname(values.out!), { recursive: true });
  writeFileSync(values.out!, `${JSON.stringify(result, null, 2)}\n`);
} finally {
  client.close();
  await service.stop();
  await history.stop();
  await nc.close();
  await dropNatsNamespace(ns);
}
