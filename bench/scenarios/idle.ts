// idle: N authenticated connections (hello done, caught up) held through
// server heartbeats; the connect rate, and what each connection costs the
// edge processes (RSS from /proc, v8 heap from their Prometheus metrics)
// and nats-server.
import type { ConnectResult, WorkerStatus } from "../client/commands.js";
import { ClientPool, MAX_CONNECTIONS_PER_WORKER, split } from "../client/pool.js";
import { runId, userIds } from "../support/plan.js";
import { pidsNamed, rssBytes } from "../support/procfs.js";
import {
  kib,
  mergeHistograms,
  mib,
  percentiles,
  round,
  type Percentiles,
} from "../support/report.js";
import { scrapeHeapUsed } from "../support/system.js";
import { startTarget } from "../support/target.js";

export interface IdleOptions {
  connections: number;
  edges: number;
  workers?: number;
  /** How long the connections are held after the last one is up. */
  holdSeconds: number;
  heartbeatMs: number;
  concurrency: number;
  urls?: string[];
  profileDir?: string;
}

export interface IdleResult {
  connections: number;
  edges: number;
  workers: number;
  opened: number;
  failed: number;
  first_error?: string;
  connect_seconds: number;
  connects_per_s: number;
  connect_latency: Percentiles;
  held: number;
  dropped: number;
  first_drop?: string;
  edge_rss_kib_per_connection: number;
  edge_heap_kib_per_connection: number | null;
  edges_detail: {
    rss_mib_before: number;
    rss_mib_after: number;
    heap_mib_before: number | null;
    heap_mib_after: number | null;
    connections: number;
  }[];
  nats_rss_mib_before: number;
  nats_rss_mib_after: number;
  client_rss_mib: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Connections per edge that one source address's ephemeral ports carry with room to spare. */
const UNBOUND_PER_EDGE = 20_000;

export async function runIdle(options: IdleOptions): Promise<IdleResult> {
  const workers = options.workers ?? Math.max(2, Math.ceil(options.connections / 15_000));
  if (options.connections / workers > MAX_CONNECTIONS_PER_WORKER) {
    throw new Error(
      `at most ${MAX_CONNECTIONS_PER_WORKER} connections per worker: use more --workers`,
    );
  }
  const target = await startTarget("parley", {
    edges: options.edges,
    urls: options.urls,
    edgeMetrics: true,
    profileDir: options.profileDir,
    env: { EDGE_HEARTBEAT_MS: String(options.heartbeatMs) },
  });
  let pool: ClientPool | undefined;
  try {
    const edgePids = target.system?.edgePids() ?? [];
    const metricsUrls = target.system?.edgeMetricsUrls ?? [];
    const natsPid = pidsNamed("nats-server")[0];
    const memory = async () => ({
      rss: edgePids.map(rssBytes),
      heap: await Promise.all(metricsUrls.map((url) => scrapeHeapUsed(url).catch(() => NaN))),
      nats: natsPid ? rssBytes(natsPid) : 0,
    });
    await sleep(1000);
    const before = await memory();

    const edges = target.transport.kind === "ws" ? target.transport.urls.length : 1;
    const perEdge = options.connections / edges;
    pool = await ClientPool.start(workers, target.transport, perEdge > UNBOUND_PER_EDGE);
    const users = userIds(`i${runId()}`, options.connections);
    const chunks = split(users, workers);
    const perWorker = Math.ceil(users.length / workers);
    const connected = await pool.all<ConnectResult>((i) => ({
      cmd: "connect",
      users: chunks[i]!,
      first: i * perWorker,
      concurrency: Math.ceil(options.concurrency / workers),
    }));
    const startedAt = Math.min(...connected.map((c) => c.startedAt));
    const finishedAt = Math.max(...connected.map((c) => c.finishedAt));
    const opened = connected.reduce((sum, c) => sum + c.opened, 0);
    console.log(
      `  ${opened} connected in ${((finishedAt - startedAt) / 1000).toFixed(1)} s; holding ${options.holdSeconds} s`,
    );

    await sleep(options.holdSeconds * 1000);
    const after = await memory();
    const statuses = await pool.all<WorkerStatus>(() => ({ cmd: "status" }));
    const held = statuses.reduce((sum, s) => sum + s.open, 0);
    const rssGrowth = sum(after.rss) - sum(before.rss);
    const heapGrowth = sum(after.heap) - sum(before.heap);
    const seconds = (finishedAt - startedAt) / 1000;
    return {
      connections: options.connections,
      edges: options.edges,
      workers,
      opened,
      failed: connected.reduce((sum, c) => sum + c.failed, 0),
      first_error: connected.find((c) => c.firstError)?.firstError,
      connect_seconds: Number(seconds.toFixed(2)),
      connects_per_s: round(opened / seconds),
      connect_latency: percentiles(mergeHistograms(connected.map((c) => c.connectLatency))),
      held,
      dropped: statuses.reduce((sum, s) => sum + s.dropped, 0),
      first_drop: statuses.find((s) => s.firstDrop)?.firstDrop,
      edge_rss_kib_per_connection: kib(rssGrowth / Math.max(1, held)),
      edge_heap_kib_per_connection:
        Number.isNaN(heapGrowth) || metricsUrls.length === 0
          ? null
          : kib(heapGrowth / Math.max(1, held)),
      edges_detail: edgePids.map((_, i) => ({
        rss_mib_before: mib(before.rss[i]!),
        rss_mib_after: mib(after.rss[i]!),
        heap_mib_before: metricsUrls.length ? mib(before.heap[i]!) : null,
        heap_mib_after: metricsUrls.length ? mib(after.heap[i]!) : null,
        connections: Math.round(held / options.edges),
      })),
      nats_rss_mib_before: mib(before.nats),
      nats_rss_mib_after: mib(after.nats),
      client_rss_mib: mib(statuses.reduce((total, s) => total + s.rss, 0)),
    };
  } finally {
    await pool?.stop();
    await target.stop();
  }
}

const sum = (values: number[]) => values.reduce((total, v) => total + v, 0);
