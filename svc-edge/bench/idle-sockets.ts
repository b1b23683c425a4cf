/**
 * Memory per idle authenticated socket in svc-edge. Runs the edge in this
 * process (to read its heap), opens N sockets from a child process (each a
 * distinct user and device, hello done, caught up), and reports heap and RSS
 * growth per socket after a forced GC.
 *
 *   npx tsx --expose-gc svc-edge/bench/idle-sockets.ts [sockets=5000] [hello|raw]
 *
 * "raw" opens sockets without a hello, to separate the socket's own cost
 * from the session's (subscription, follower, cursor).
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

const count = Number(process.argv[2] ?? 5000);
const raw = process.argv[3] === "raw";

if (process.env.BENCH_CLIENT) {
  await runClients(process.env.BENCH_CLIENT, count);
} else {
  await runEdge();
}

async function runEdge(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with --expose-gc");
  const namespace = uniqueNamespace();
  const log = createLogger("bench", "warn");
  const config = loadEdgeConfig({
    PARLEY_NAMESPACE: namespace,
    PARLEY_TOKEN_SECRET: TEST_TOKEN_SECRET,
    EDGE_HTTP_ADDRESS: "127.0.0.1:0",
    GRPC_ADDRESS: "127.0.0.1:0",
    LOG_LEVEL: "warn",
    EDGE_HELLO_TIMEOUT_MS: "600000",
  });
  const shutdown = new Shutdown(log, 30_000);
  const { httpPort } = await startEdge(config, log, shutdown);
  const measure = () => {
    gc();
    return { heap: process.memoryUsage().heapUsed, rss: process.memoryUsage().rss };
  };
  const before = measure();
  const child = fork(process.argv[1]!, process.argv.slice(2), {
    env: { ...process.env, BENCH_CLIENT: `ws://127.0.0.1:${httpPort}/ws` },
    execArgv: ["--import", "tsx"],
  });
  await new Promise<void>((resolve) => child.once("message", () => resolve()));
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const after = measure();
  const kb = (bytes: number) => (bytes / count / 1024).toFixed(2);
  console.log(
    JSON.stringify({
      sockets: count,
      mode: raw ? "raw" : "hello",
      heap_kb_per_socket: kb(after.heap - before.heap),
      rss_kb_per_socket: kb(after.rss - before.rss),
      heap_mb_total: (after.heap / 1048576).toFixed(1),
      rss_mb_total: (after.rss / 1048576).toFixed(1),
    }),
  );
  child.kill();
  await shutdown.run("bench done");
  await dropNatsNamespace(namespace);
  process.exit(0);
}

async function runClients(url: string, n: number): Promise<void> {
  const sockets: WebSocket[] = [];
  for (let i = 0; i < n; i += 200) {
    const batch = Array.from({ length: Math.min(200, n - i) }, (_, j) => openOne(url, i + j));
    sockets.push(...(await Promise.all(batch)));
  }
  process.send?.("ready");
  await new Promise(() => {});
}

async function openOne(url: string, i: number): Promise<WebSocket> {
  const token = await signToken({ userId: `u${i}`, deviceId: "d" }, TEST_TOKEN_SECRET, 600);
  const ws = new WebSocket(url);
  await new Promise((resolve) => ws.once("open", resolve));
  if (raw) return ws;
  ws.send(JSON.stringify({ type: "hello", token }));
  await new Promise<void>((resolve) =>
    ws.on("message", (data) => {
      if (String(data).includes('"caught_up"')) resolve();
    }),
  );
  return ws;
}
