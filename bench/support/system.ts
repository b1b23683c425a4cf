// The system under test, started by the bench itself: svc-history,
// svc-presence, svc-delivery and one or more svc-edge processes in a fresh
// namespace on the local NATS and Postgres (svc-media is not needed by any
// scenario). Every edge shares the namespace, so a message sent through one
// reaches a device on another, as with several edge hosts.
import { mkdirSync } from "node:fs";
import { dropNatsNamespace, dropSchema } from "../../testkit/cleanup.js";
import { baseEnv, TEST_TOKEN_SECRET, uniqueNamespace } from "../../testkit/env.js";
import { freePort } from "../../testkit/ports.js";
import { startService, type RunningService } from "../../testkit/service.js";

export interface BenchSystemOptions {
  edges: number;
  /** Serve each edge's metrics for Prometheus (its v8 heap, for the idle scenario). */
  edgeMetrics?: boolean;
  /** Write a CPU profile (node --cpu-prof) of every service into this folder. */
  profileDir?: string;
  /** Environment over the defaults, for every service. */
  env?: Record<string, string>;
}

export interface ServiceProcess {
  /** history, presence, delivery, edge-0, edge-1, … */
  name: string;
  pid: number;
}

/** The token secret the bench's services verify and its clients sign with. */
export const BENCH_TOKEN_SECRET = TEST_TOKEN_SECRET;

export class BenchSystem {
  private constructor(
    readonly namespace: string,
    readonly edgeUrls: string[],
    /** Prometheus endpoints of the edges, in edge order (empty without edgeMetrics). */
    readonly edgeMetricsUrls: string[],
    private readonly running: { name: string; service: RunningService }[],
  ) {}

  static async start(options: BenchSystemOptions): Promise<BenchSystem> {
    const namespace = `bench${uniqueNamespace()}`;
    const [delivery, history, presence] = await Promise.all([freePort(), freePort(), freePort()]);
    const shared: Record<string, string> = {
      ...baseEnv(namespace),
      PARLEY_PARTITIONS: "8",
      LOG_LEVEL: "warn",
      // Load clients send far faster than a person; the limiter has its own tests.
      EDGE_SENDS_PER_SECOND: "1000000",
      EDGE_SEND_BURST: "1000000",
      DELIVERY_ADDRESS: `127.0.0.1:${delivery}`,
      HISTORY_ADDRESS: `127.0.0.1:${history}`,
      PRESENCE_ADDRESS: `127.0.0.1:${presence}`,
      ...options.env,
    };
    const running: { name: string; service: RunningService }[] = [];
    const system = new BenchSystem(namespace, [], [], running);
    const start = async (
      kind: "history" | "presence" | "delivery" | "edge",
      name: string,
      env: Record<string, string>,
    ) => {
      const service = await startService(kind, { ...shared, ...profileEnv(options, name), ...env });
      running.push({ name, service });
    };
    try {
      await start("history", "history", { GRPC_ADDRESS: `127.0.0.1:${history}` });
      await start("presence", "presence", { GRPC_ADDRESS: `127.0.0.1:${presence}` });
      await start("delivery", "delivery", { GRPC_ADDRESS: `127.0.0.1:${delivery}` });
      for (let i = 0; i < options.edges; i++) {
        const [http, grpc, metrics] = await Promise.all([freePort(), freePort(), freePort()]);
        await start("edge", `edge-${i}`, {
          GRPC_ADDRESS: `127.0.0.1:${grpc}`,
          EDGE_HTTP_ADDRESS: `127.0.0.1:${http}`,
          ...(options.edgeMetrics ? metricsEnv(metrics) : {}),
        });
        system.edgeUrls.push(`ws://127.0.0.1:${http}/ws`);
        if (options.edgeMetrics) system.edgeMetricsUrls.push(`http://127.0.0.1:${metrics}/metrics`);
      }
    } catch (err) {
      await system.stop();
      throw err;
    }
    return system;
  }

  /** Every service process, in start order. */
  processes(): ServiceProcess[] {
    return this.running.map(({ name, service }) => ({ name, pid: service.process.pid! }));
  }

  edgePids(): number[] {
    return this.processes()
      .filter((p) => p.name.startsWith("edge"))
      .map((p) => p.pid);
  }

  /** Stops the services front to back (edges first) and removes the namespace. */
  async stop(): Promise<void> {
    for (const { service } of this.running.splice(0).reverse()) await service.stop();
    await dropNatsNamespace(this.namespace).catch(() => {});
    await dropSchema(this.namespace).catch(() => {});
  }
}

function metricsEnv(port: number): Record<string, string> {
  return {
    OTEL_METRICS_EXPORTER: "prometheus",
    OTEL_EXPORTER_PROMETHEUS_HOST: "127.0.0.1",
    OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
  };
}

function profileEnv(options: BenchSystemOptions, name: string): Record<string, string> {
  if (!options.profileDir) return {};
  const dir = `${options.profileDir}/${name}`;
  mkdirSync(dir, { recursive: true });
  const inherited = process.env.NODE_OPTIONS ?? "";
  return { NODE_OPTIONS: `${inherited} --cpu-prof --cpu-prof-dir=${dir}`.trim() };
}

/** The sum of v8js_memory_heap_used over the heap spaces, from a Prometheus scrape. */
export async function scrapeHeapUsed(metricsUrl: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  let total = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith("v8js_memory_heap_used")) continue;
    total += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return total;
}
