/**
 * Measures presence updates: device connects and disconnects per second
 * through ReportPresence into the KV bucket. E edges (each its own
 * simulated edge process with U users of one device) report in turn:
 * every user connects, then every user disconnects, R rounds, each
 * report carrying up to B events, all edges at once. The figure is events
 * applied per second (connect + disconnect), from the first report until
 * the last answer; reconnects fall within the grace period, as a flapping
 * network would make them.
 *
 *   npx tsx svc-presence/bench/presence-updates.ts --edges 4 --users 5000 --rounds 3
 *
 * Runs the built svc-presence as its own process against the test NATS
 * and Postgres (testkit/env.ts), in a namespace of its own, dropped after.
 */
import {
  callUnary,
  createClient,
  loadConfig,
  natsSettings,
  topologyFromSettings,
} from "@parley/common";
import {
  PresenceServiceClient,
  type DeviceEvent,
  type ReportPresenceRequest,
  type ReportPresenceResponse,
} from "@parley/proto/parley/presence/v1/presence";
import { Kvm } from "@nats-io/kv";
import { connect } from "@nats-io/transport-node";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { dropNatsNamespace, dropSchema } from "../../testkit/cleanup.js";
import { baseEnv, TEST_NATS_URL, uniqueNamespace } from "../../testkit/env.js";
import { startService } from "../../testkit/service.js";

const { values } = parseArgs({
  options: {
    edges: { type: "string", default: "4" },
    users: { type: "string", default: "5000" },
    rounds: { type: "string", default: "3" },
    batch: { type: "string", default: "10000" },
    concurrency: { type: "string", default: "256" },
    out: { type: "string", default: "/tmp/parley-bench/presence-updates.json" },
  },
});
const edges = Number(values.edges);
const users = Number(values.users);
const rounds = Number(values.rounds);
const batch = Number(values.batch);

const ns = uniqueNamespace();
const env = {
  ...baseEnv(ns),
  GRPC_ADDRESS: "127.0.0.1:0",
  LOG_LEVEL: "warn",
  PRESENCE_LEASE_TTL_MS: "60000",
  PRESENCE_STORE_CONCURRENCY: values.concurrency!,
};
const topology = topologyFromSettings(loadConfig(natsSettings, { env }));
const service = await startService("presence", env);
const client = createClient(PresenceServiceClient, `127.0.0.1:${service.ready.grpc_port}`);
const latencies: number[] = [];

async function report(request: Partial<ReportPresenceRequest>): Promise<ReportPresenceResponse> {
  const full = { edgeId: "", events: [], snapshot: false, goodbye: false, ...request };
  const started = performance.now();
  const answer = await callUnary(client, client.reportPresence, full, 120_000);
  latencies.push(performance.now() - started);
  return answer;
}

/** One edge's run: its users connect, then disconnect, `rounds` times. */
async function runEdge(edge: number): Promise<void> {
  const edgeId = `bench-${edge}`;
  const ids = Array.from({ length: users }, (_, u) => `e${edge}u${u}`);
  for (let round = 0; round < rounds; round++) {
    for (const connected of [true, false]) {
      for (let i = 0; i < ids.length; i += batch) {
        const events: DeviceEvent[] = ids
          .slice(i, i + batch)
          .map((userId) => ({ userId, deviceId: "phone", connected, atMs: Date.now() }));
        await report({ edgeId, events });
      }
    }
  }
}

try {
  // Leases and known keys first, outside the clock.
  for (let e = 0; e < edges; e++) await report({ edgeId: `bench-${e}`, snapshot: true });
  latencies.length = 0;

  const started = performance.now();
  await Promise.all(Array.from({ length: edges }, (_, e) => runEdge(e)));
  const seconds = (performance.now() - started) / 1000;
  const events = edges * users * rounds * 2;

  const nc = await connect({ servers: TEST_NATS_URL });
  const kv = await new Kvm(nc).open(topology.presenceBucket);
  const status = await kv.status();
  await nc.close();

  latencies.sort((a, b) => a - b);
  const result = {
    date: new Date().toISOString().slice(0, 10),
    edges,
    users_per_edge: users,
    rounds,
    events_per_report: Math.min(batch, users),
    store_concurrency: Number(values.concurrency),
    events,
    reports: latencies.length,
    seconds: Number(seconds.toFixed(2)),
    updates_per_second: Math.round(events / seconds),
    report_ms_p50: Math.round(latencies[Math.floor(latencies.length / 2)]!),
    report_ms_max: Math.round(latencies.at(-1)!),
    bucket_messages: status.values,
  };
  console.log(JSON.stringify(result));
  mkdirSync(dirname(values.out!), { recursive: true });
  writeFileSync(values.out!, `${JSON.stringify(result, null, 2)}\n`);
} finally {
  client.close();
  await service.stop();
  await dropNatsNamespace(ns);
  await dropSchema(ns);
}
