// chat: users in 1:1 pairs and groups of ten send at an offered rate that
// ramps in steps; per step the delivered and fanout rates, send → sent and
// send → received latency, and every process's CPU; at the end, every
// acked message is accounted for at every recipient (lost, duplicated).
// The same load runs against the bare ws relay and bare core NATS.
import type { ConnectResult, IntervalStats, LedgerResult, Slot } from "../client/commands.js";
import { ClientPool, split } from "../client/pool.js";
import { account, type Accounting } from "../support/accounting.js";
import { chatPlan, recipientsPerMessage, runId, type Plan } from "../support/plan.js";
import { CpuMeter } from "../support/procfs.js";
import {
  latencyCell,
  mergeHistograms,
  percentiles,
  round,
  type Percentiles,
} from "../support/report.js";
import { SHARED_SERVERS, startTarget, type TargetKind } from "../support/target.js";

export interface ChatOptions {
  users: number;
  groupShare: number;
  rates: number[];
  stepSeconds: number;
  workers: number;
  edges: number;
  bodyBytes: number;
  targets: TargetKind[];
  /** Stop the ramp after the first saturated step. */
  stopAtSaturation: boolean;
  urls?: string[];
  profileDir?: string;
}

export interface StepResult {
  offered_per_s: number;
  acked_per_s: number;
  delivered_per_s: number;
  group_deliveries_per_s: number;
  send_to_sent: Percentiles;
  send_to_received: Percentiles;
  retries: number;
  errors: number;
  saturated: boolean;
  cpu: Record<string, number>;
}

export interface ChatRun {
  target: TargetKind;
  users: number;
  connect_failures: number;
  steps: StepResult[];
  accounting: Accounting;
  dropped_connections: number;
  peak_delivered_per_s: number;
  peak_acked_per_s: number;
  peak_group_deliveries_per_s: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runChat(options: ChatOptions): Promise<ChatRun[]> {
  const runs: ChatRun[] = [];
  for (const kind of options.targets) runs.push(await runChatOn(kind, options));
  return runs;
}

async function runChatOn(kind: TargetKind, options: ChatOptions): Promise<ChatRun> {
  const target = await startTarget(kind, {
    edges: options.edges,
    urls: options.urls,
    profileDir: kind === "parley" ? options.profileDir : undefined,
  });
  let pool: ClientPool | undefined;
  try {
    pool = await ClientPool.start(options.workers, target.transport);
    const plan = chatPlan(`c${runId()}${kind}`, options.users, options.groupShare);
    const { perWorker, failures } = await connectPlan(pool, plan);
    const meter = new CpuMeter([
      { name: "clients", pids: () => pool!.pids() },
      ...target.processes,
      ...SHARED_SERVERS,
    ]);
    const steps = await ramp(pool, perWorker, meter, options);
    await pool.all(() => ({ cmd: "drain" }));
    const accounting = await settle(pool, plan);
    const statuses = await pool.all<{ dropped: number }>(() => ({ cmd: "status" }));
    const best = (f: (s: StepResult) => number) => Math.max(0, ...steps.map(f));
    return {
      target: kind,
      users: plan.users.length,
      connect_failures: failures,
      steps,
      accounting,
      dropped_connections: statuses.reduce((sum, s) => sum + s.dropped, 0),
      peak_delivered_per_s: best((s) => s.delivered_per_s),
      peak_acked_per_s: best((s) => s.acked_per_s),
      peak_group_deliveries_per_s: best((s) => s.group_deliveries_per_s),
    };
  } finally {
    await pool?.stop();
    await target.stop();
  }
}

/** Connects every user, creates the groups; returns each worker's slots. */
async function connectPlan(pool: ClientPool, plan: Plan) {
  const chunks = split(plan.users, pool.size);
  const workerOf = new Map<string, number>();
  chunks.forEach((chunk, i) => chunk.forEach((user) => workerOf.set(user, i)));
  let offset = 0;
  const firsts = chunks.map((chunk) => ((offset += chunk.length), offset - chunk.length));
  const connected = await pool.all<ConnectResult>((i) => ({
    cmd: "connect",
    users: chunks[i]!,
    first: firsts[i]!,
    concurrency: 100,
  }));
  const failures = connected.reduce((sum, c) => sum + c.failed, 0);
  if (failures > 0)
    throw new Error(
      `${failures} connects failed: ${connected.find((c) => c.firstError)?.firstError}`,
    );

  const ids = await pool.all<Record<string, string>>((i) => ({
    cmd: "createGroups",
    groups: plan.groups.filter((g) => workerOf.get(g.creator) === i),
  }));
  const conversationIds = Object.assign({}, ...ids) as Record<string, string>;
  // Members learn of a group through its "created" event (or, on NATS, a join).
  await sleep(plan.groups.length > 0 ? 1000 : 0);
  const perWorker: Slot[][] = chunks.map(() => []);
  for (const slot of plan.slots) {
    const conversation_id = slot.to ? undefined : conversationIds[slot.tag];
    perWorker[workerOf.get(slot.user)!]!.push({ ...slot, conversation_id });
  }
  return { perWorker, failures };
}

async function ramp(
  pool: ClientPool,
  perWorker: Slot[][],
  meter: CpuMeter,
  options: ChatOptions,
): Promise<StepResult[]> {
  const steps: StepResult[] = [];
  const expectedPerMessage = recipientsPerMessage(options.groupShare);
  for (const rate of options.rates) {
    await pool.all((i) => ({
      cmd: "load",
      slots: perWorker[i]!,
      groupShare: options.groupShare,
      rate: rate / pool.size,
      bodyBytes: options.bodyBytes,
    }));
    await pool.all(() => ({ cmd: "snapshot" }));
    meter.start();
    await sleep(options.stepSeconds * 1000);
    const stats = await pool.all<IntervalStats>(() => ({ cmd: "snapshot" }));
    const cpu = meter.stop();
    const step = stepResult(rate, stats, options.stepSeconds, cpu);
    step.saturated =
      step.delivered_per_s < 0.9 * rate * expectedPerMessage ||
      step.acked_per_s < 0.9 * rate ||
      step.send_to_received.p99_ms > 5_000;
    steps.push(step);
    printStep(step);
    if (step.saturated && options.stopAtSaturation) break;
  }
  await pool.all(() => ({ cmd: "load", slots: [], groupShare: 0, rate: 0, bodyBytes: 0 }));
  return steps;
}

function stepResult(
  rate: number,
  stats: IntervalStats[],
  seconds: number,
  cpu: Record<string, number>,
): StepResult {
  const sum = (f: (s: IntervalStats) => number) => stats.reduce((total, s) => total + f(s), 0);
  return {
    offered_per_s: rate,
    acked_per_s: round(sum((s) => s.acked) / seconds),
    delivered_per_s: round(sum((s) => s.received) / seconds),
    group_deliveries_per_s: round(sum((s) => s.groupReceived) / seconds),
    send_to_sent: percentiles(mergeHistograms(stats.map((s) => s.ackLatency))),
    send_to_received: percentiles(mergeHistograms(stats.map((s) => s.receiveLatency))),
    retries: sum((s) => s.retries),
    errors: sum((s) => s.errors),
    saturated: false,
    cpu,
  };
}

function printStep(step: StepResult): void {
  const cpu = Object.entries(step.cpu)
    .map(([name, share]) => `${name} ${Math.round(share * 100)}%`)
    .join(", ");
  console.log(
    `  offered ${step.offered_per_s}/s: acked ${step.acked_per_s}/s, delivered ${step.delivered_per_s}/s` +
      ` (group ${step.group_deliveries_per_s}/s), received p50/p90/p99/max ${latencyCell(step.send_to_received)} ms` +
      `${step.saturated ? " [saturated]" : ""}\n    cpu: ${cpu}`,
  );
}

/** Waits until every acked send has arrived (or nothing more comes), then accounts. */
async function settle(pool: ClientPool, plan: Plan, timeoutMs = 60_000): Promise<Accounting> {
  const deadline = Date.now() + timeoutMs;
  let quietSince = Date.now();
  for (;;) {
    const ledgers = await pool.all<LedgerResult>(() => ({ cmd: "ledger" }));
    const result = account(ledgers, plan.conversations);
    if (result.lost === 0 || Date.now() > deadline) return result;
    const stats = await pool.all<IntervalStats>(() => ({ cmd: "snapshot" }));
    if (stats.some((s) => s.received > 0)) quietSince = Date.now();
    else if (Date.now() - quietSince > 10_000) return result;
    await sleep(500);
  }
}

/** The table of one scenario run: one row per target and step. */
export function chatTable(runs: ChatRun[]): Record<string, Record<string, string | number>> {
  const rows: Record<string, Record<string, string | number>> = {};
  for (const run of runs) {
    for (const step of run.steps) {
      rows[`${run.target} @${step.offered_per_s}/s`] = {
        "acked/s": step.acked_per_s,
        "delivered/s": step.delivered_per_s,
        "group deliv/s": step.group_deliveries_per_s,
        "sent p50/p90/p99/max ms": latencyCell(step.send_to_sent),
        "received p50/p90/p99/max ms": latencyCell(step.send_to_received),
        sat: step.saturated ? "yes" : "",
      };
    }
  }
  return rows;
}
