// The bench's command line: one scenario per run, a table on stdout and the
// whole result as JSON under bench/results/. Starts its own Parley (fresh
// namespace, local NATS and Postgres, built services) unless given --url.
//
//   npx tsx bench/run.ts idle --connections 19000 --edges 1
//   npx tsx bench/run.ts chat --users 2000 --rates 500,1000,2000,4000 --group-share 0.3
//   npx tsx bench/run.ts storm --recipients 1000 --backlog 20
//   npx tsx bench/run.ts offline --backlog 1000
//
// Add --profile to write a CPU profile of every service (node --cpu-prof)
// and print where their time went. See docs/benchmarks.md.
import { parseArgs } from "node:util";
import { printProfiles, summariseDir, type ServiceProfile } from "./profile.js";
import { runBacklog, type BacklogResult } from "./scenarios/backlog.js";
import { chatTable, runChat, type ChatRun } from "./scenarios/chat.js";
import { runIdle } from "./scenarios/idle.js";
import { latencyCell, RESULTS_DIR, writeResult } from "./support/report.js";
import type { TargetKind } from "./support/target.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    edges: { type: "string", default: "1" },
    workers: { type: "string" },
    url: { type: "string", multiple: true },
    profile: { type: "boolean", default: false },
    concurrency: { type: "string", default: "400" },
    body: { type: "string", default: "100" },
    // idle
    connections: { type: "string", default: "1000" },
    hold: { type: "string", default: "30" },
    "heartbeat-ms": { type: "string", default: "25000" },
    // chat
    users: { type: "string", default: "1000" },
    "group-share": { type: "string", default: "0.3" },
    rates: { type: "string", default: "250,500,1000,1500,2000,3000,4000,6000,8000" },
    step: { type: "string", default: "10" },
    baselines: { type: "string", default: "ws,nats" },
    "baseline-rates": { type: "string" },
    "no-stop": { type: "boolean", default: false },
    // storm and offline
    recipients: { type: "string", default: "1000" },
    backlog: { type: "string" },
    senders: { type: "string" },
    window: { type: "string", default: "10" },
    repeat: { type: "string", default: "3" },
  },
});

const scenario = positionals[0];
const num = (name: keyof typeof values) => Number(values[name] as string);
const urls = values.url?.flatMap((u) => u.split(","));
const stamp = new Date().toISOString().replace(/[:.]/g, "-");
const profileDir = values.profile ? `${RESULTS_DIR}profiles/${scenario}-${stamp}` : undefined;
const common = { edges: num("edges"), urls, profileDir };

async function main(): Promise<object> {
  switch (scenario) {
    case "idle": {
      const result = await runIdle({
        ...common,
        connections: num("connections"),
        workers: values.workers ? num("workers") : undefined,
        holdSeconds: num("hold"),
        heartbeatMs: num("heartbeat-ms"),
        concurrency: num("concurrency"),
      });
      const { edges_detail, connect_latency, ...summary } = result;
      console.table(summary);
      console.table(edges_detail);
      console.log(`connect → caught_up ms p50/p90/p99/max: ${latencyCell(connect_latency)}`);
      return result;
    }
    case "chat": {
      const baselines = values.baselines === "none" ? [] : values.baselines.split(",");
      const common_chat = {
        ...common,
        users: num("users"),
        groupShare: num("group-share"),
        stepSeconds: num("step"),
        workers: values.workers ? num("workers") : 2,
        bodyBytes: num("body"),
        stopAtSaturation: !values["no-stop"],
      };
      const rates = values.rates.split(",").map(Number);
      const runs: ChatRun[] = [];
      console.log("parley:");
      runs.push(...(await runChat({ ...common_chat, rates, targets: ["parley"] })));
      const baselineRates = values["baseline-rates"]?.split(",").map(Number) ?? rates;
      for (const kind of baselines as TargetKind[]) {
        console.log(`${kind} baseline:`);
        runs.push(
          ...(await runChat({
            ...common_chat,
            rates: baselineRates,
            targets: [kind],
            profileDir: undefined,
          })),
        );
      }
      console.table(chatTable(runs));
      const summary = chatSummary(runs);
      console.table(summary.targets);
      console.log(JSON.stringify(summary.ratios));
      return { options: { ...common_chat, rates, baselineRates }, runs, ...summary };
    }
    case "storm":
    case "offline": {
      const offline = scenario === "offline";
      const repeat = offline ? num("repeat") : 1;
      const results: BacklogResult[] = [];
      for (let i = 0; i < repeat; i++) {
        results.push(
          await runBacklog({
            ...common,
            recipients: offline ? 1 : num("recipients"),
            backlog: values.backlog ? num("backlog") : offline ? 1000 : 20,
            senders: values.senders ? num("senders") : offline ? 10 : 100,
            workers: values.workers ? num("workers") : offline ? 1 : 2,
            window: num("window"),
            bodyBytes: num("body"),
            concurrency: num("concurrency"),
            profileDir: i === 0 ? profileDir : undefined,
          }),
        );
      }
      console.table(
        results.map(({ accounting, cpu: _cpu, per_recipient, ...r }) => ({
          ...r,
          "per recipient p50/p90/p99/max ms": latencyCell(per_recipient),
          lost: accounting.lost,
          duplicates: accounting.duplicates,
        })),
      );
      console.table(results.map((r) => r.cpu));
      return { runs: results };
    }
    default:
      throw new Error(
        "usage: npx tsx bench/run.ts <idle|chat|storm|offline> [flags] (see docs/benchmarks.md)",
      );
  }
}

/** Each target's peaks, and Parley's as a ratio of each baseline's. */
function chatSummary(runs: ChatRun[]) {
  const targets = Object.fromEntries(
    runs.map((r) => [
      r.target,
      {
        "peak delivered/s": r.peak_delivered_per_s,
        "peak acked/s": r.peak_acked_per_s,
        "peak group deliveries/s": r.peak_group_deliveries_per_s,
        lost: r.accounting.lost,
        duplicates: r.accounting.duplicates,
        unexpected: r.accounting.unexpected,
        dropped: r.dropped_connections,
        "ramp saturated": r.steps.some((s) => s.saturated) ? "yes" : "no (figure is a floor)",
      },
    ]),
  );
  const parley = runs.find((r) => r.target === "parley");
  const ratios: Record<string, number> = {};
  for (const run of runs) {
    if (!parley || run === parley || run.peak_delivered_per_s === 0) continue;
    ratios[`parley/${run.target} delivered`] = Number(
      (parley.peak_delivered_per_s / run.peak_delivered_per_s).toFixed(3),
    );
  }
  return { targets, ratios };
}

let profiles: ServiceProfile[] | undefined;
const result = await main();
if (profileDir) {
  profiles = summariseDir(profileDir);
  printProfiles(profiles);
}
const path = writeResult(scenario!, { scenario, at: new Date().toISOString(), result, profiles });
console.log(`results: ${path}`);
process.exit(0);
