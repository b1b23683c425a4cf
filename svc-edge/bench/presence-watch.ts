/**
 * Heap per watched user in svc-edge: N authenticated sockets (distinct
 * users) each send one watch_presence for M users (user i watches users
 * i+1 .. i+M of the N, so every user is watched M times and the process
 * holds N shared subscriptions). The edge runs in this process, with
 * PresenceService and ConversationService served from tables on real gRPC
 * servers (everyone is everyone's contact); heap is read after a forced GC
 * once the sockets are open, and again once every watch is answered.
 *
 *   npx tsx --expose-gc svc-edge/bench/presence-watch.ts [connections=2000] [watched=50]
 *
 * Needs NATS at 127.0.0.1:4222; uses and removes a namespace of its own.
 */
import { fork } from "node:child_process";
import { createLogger, Shutdown, signToken } from "@parley/common";
import WebSocket from "ws";
import { startEdge } from "../src/app.js";
import { loadEdgeConfig } from "../src/config.js";
import { dropNatsNamespace } from "../../testkit/cleanup.js";
import { TEST_TOKEN_SECRET, uniqueNamespace } from "../../testkit/env.js";
import { FakeConversations } from "../test/support/fake-conversations.js";
import { FakePresence } from "../test/support/fake-presence.js";
import { testTopology } from "../test/support/topology.js";

const count = Number(process.argv[2] ?? 2000);
const watched = Number(process.argv[3] ?? 50);

if (process.env.BENCH_CLIENT) {
  await runClients(process.env.BENCH_CLIENT);
} else {
  await runEdge();
}

async function runEdge(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with --expose-gc");
  const namespace = uniqueNamespace();
  const log = createLogger("bench", "warn");
  const conversations = await FakeConversations.start();
  conversations.answers.filterContacts = async (r) => ({ contactIds: r.candidateIds });
  const presence = await FakePresence.start(testTopology(namespace));
  // The fakes keep every request; the bench must not count them.
  conversations.requests.push = () => 0;
  presence.reads.push = () => 0;
  const config = loadEdgeConfig({
    PARLEY_NAMESPACE: namespace,
    PARLEY_TOKEN_SECRET: TEST_TOKEN_SECRET,
    EDGE_HTTP_ADDRESS: "127.0.0.1:0",
    GRPC_ADDRESS: "127.0.0.1:0",
    HISTORY_ADDRESS: conversations.address,
    PRESENCE_ADDRESS: presence.address,
    LOG_LEVEL: "warn",
    EDGE_HELLO_TIMEOUT_MS: "600000",
    EDGE_SEND_BURST: "1000",
  });
  const shutdown = new Shutdown(log, 30_000);
  const { httpPort } = await startEdge(config, log, shutdown);
  const heap = async () => {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    gc();
    return process.memoryUsage().heapUsed;
  };
  const child = fork(process.argv[1]!, process.argv.slice(2), {
    env: { ...process.env, BENCH_CLIENT: `ws://127.0.0.1:${httpPort}/ws` },
    execArgv: ["--import", "tsx"],
  });
  const next = () => new Promise<void>((resolve) => child.once("message", () => resolve()));
  await next();
  const before = await heap();
  child.send("watch");
  await next();
  const after = await heap();
  const pairs = count * watched;
  console.log(
    JSON.stringify({
      connections: count,
      watched_per_connection: watched,
      subscriptions: count,
      heap_bytes_per_watched_user_per_connection: Math.round((after - before) / pairs),
      heap_kb_per_connection: ((after - before) / count / 1024).toFixed(2),
      heap_mb_total: (after / 1048576).toFixed(1),
    }),
  );
  child.kill();
  await shutdown.run("bench done");
  await conversations.stop();
  await presence.stop();
  await dropNatsNamespace(namespace);
  process.exit(0);
}

async function runClients(url: string): Promise<void> {
  const sockets: WebSocket[] = [];
  for (let i = 0; i < count; i += 200) {
    const batch = Array.from({ length: Math.min(200, count - i) }, (_, j) => openOne(url, i + j));
    sockets.push(...(await Promise.all(batch)));
  }
  process.send?.("open");
  await new Promise((resolve) => process.once("message", resolve));
  for (let i = 0; i < count; i += 200) {
    const batch = sockets.slice(i, i + 200).map((ws, j) => watch(ws, i + j));
    await Promise.all(batch);
  }
  process.send?.("watching");
  await new Promise(() => {});
}

function watch(ws: WebSocket, i: number): Promise<void> {
  const userIds = Array.from({ length: watched }, (_, k) => `u${(i + 1 + k) % count}`);
  ws.send(JSON.stringify({ type: "watch_presence", id: "w", user_ids: userIds }));
  return new Promise((resolve, reject) =>
    ws.on("message", (data) => {
      const text = String(data);
      if (text.includes('"id":"w"')) {
        if (text.includes('"type":"presence"')) resolve();
        else reject(new Error(text));
      }
    }),
  );
}

async function openOne(url: string, i: number): Promise<WebSocket> {
  const token = await signToken({ userId: `u${i}`, deviceId: "d" }, TEST_TOKEN_SECRET, 600);
  const ws = new WebSocket(url);
  await new Promise((resolve) => ws.once("open", resolve));
  ws.send(JSON.stringify({ type: "hello", token }));
  await new Promise<void>((resolve) =>
    ws.on("message", (data) => {
      if (String(data).includes('"caught_up"')) resolve();
    }),
  );
  return ws;
}
