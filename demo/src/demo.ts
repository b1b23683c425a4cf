// The demo as one call: corpus, plan, replay through the edge, check.
import { DEFAULT_CORPUS_DIR, loadScenes } from "./corpus.js";
import { check } from "./check.js";
import { makePlan, type PlanOptions } from "./plan.js";
import { replay } from "./replay.js";
import { summarize, type Summary } from "./summary.js";
import { UnicodeMixer } from "./unicode.js";

export interface DemoOptions extends Omit<PlanOptions, "runId"> {
  /** The edge's WebSocket URL, e.g. ws://127.0.0.1:8080/ws. */
  url: string;
  /** The secret the edge checks tokens with. */
  tokenSecret: string;
  corpusDir?: string;
  /** Offered sends per second; 0 or absent: as fast as the server acks. */
  rate?: number;
  settleMs?: number;
  /** Prefix of the user ids; a new one per run by default. */
  runId?: string;
  log?: (line: string) => void;
}

export async function runDemo(options: DemoOptions): Promise<Summary> {
  const runId = options.runId ?? `d${Date.now().toString(36)}`;
  const scenes = loadScenes(options.corpusDir ?? DEFAULT_CORPUS_DIR);
  const plan = makePlan(scenes, new UnicodeMixer(), { ...options, runId });
  const run = await replay({
    url: options.url,
    tokenSecret: options.tokenSecret,
    plan,
    seed: options.seed,
    rate: options.rate,
    settleMs: options.settleMs,
    log: options.log,
  });
  return summarize(plan, run, check(plan, run));
}
