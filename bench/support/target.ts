// What a scenario runs against: Parley (started here, or given by --url),
// the bare ws relay, or bare core NATS; with the processes whose CPU and
// memory the run reports.
import { randomBytes } from "node:crypto";
import type { Transport } from "../client/commands.js";
import { startRelay } from "../baselines/start-relay.js";
import { TEST_NATS_URL } from "../../testkit/env.js";
import { pidsNamed, type ProcessGroup } from "./procfs.js";
import { BENCH_TOKEN_SECRET, BenchSystem, type BenchSystemOptions } from "./system.js";

export type TargetKind = "parley" | "ws" | "nats";

export interface Target {
  kind: TargetKind;
  transport: Transport;
  /** The target's own processes, one group each (clients and shared servers come on top). */
  processes: ProcessGroup[];
  system?: BenchSystem;
  stop(): Promise<void>;
}

export interface TargetOptions extends BenchSystemOptions {
  /** Edges of a running Parley instead of starting one (its processes are not measured). */
  urls?: string[];
}

export async function startTarget(kind: TargetKind, options: TargetOptions): Promise<Target> {
  if (kind === "ws") {
    const relay = await startRelay();
    return {
      kind,
      transport: { kind: "ws", urls: [relay.url], secret: BENCH_TOKEN_SECRET },
      processes: [{ name: "ws-relay", pids: () => [relay.pid] }],
      stop: relay.stop,
    };
  }
  if (kind === "nats") {
    const prefix = `bench.${randomBytes(4).toString("hex")}`;
    return {
      kind,
      transport: { kind: "nats", url: TEST_NATS_URL, prefix },
      processes: [],
      stop: async () => {},
    };
  }
  if (options.urls?.length) {
    const secret = process.env.PARLEY_TOKEN_SECRET ?? BENCH_TOKEN_SECRET;
    return {
      kind,
      transport: { kind: "ws", urls: options.urls, secret },
      processes: [],
      stop: async () => {},
    };
  }
  const system = await BenchSystem.start(options);
  return {
    kind,
    transport: { kind: "ws", urls: system.edgeUrls, secret: BENCH_TOKEN_SECRET },
    processes: system.processes().map(({ name, pid }) => ({ name, pids: () => [pid] })),
    system,
    stop: () => system.stop(),
  };
}

/** The shared servers on this host: measured in every run. */
export const SHARED_SERVERS: ProcessGroup[] = [
  { name: "nats-server", pids: () => pidsNamed("nats-server") },
  { name: "postgres", pids: () => pidsNamed("postgres") },
];
