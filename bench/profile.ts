// Where the time goes: reads the .cpuprofile files that `node --cpu-prof`
// wrote (one folder per service, as the bench lays them out) and sums self
// time by function and source location, per service.
//
//   npx tsx bench/profile.ts bench/results/profiles/chat-<time> [--top 15]
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

export interface HotSpot {
  function: string;
  where: string;
  self_ms: number;
  share: number;
}

export interface ServiceProfile {
  service: string;
  total_ms: number;
  /** Share of samples in (idle) and (garbage collector). */
  idle_share: number;
  gc_share: number;
  top: HotSpot[];
}

/** Shortens a script URL to the package or project path it belongs to. */
function place(url: string, line: number): string {
  if (!url) return "";
  const path = url.replace(/^file:\/\//, "");
  const modules = path.lastIndexOf("node_modules/");
  const short = modules >= 0 ? path.slice(modules + 13) : path.replace(/^.*\/main\//, "");
  return `${short}:${line + 1}`;
}

/** Self time per function of one or more profiles of one service. */
export function summarise(service: string, profiles: CpuProfile[], top = 15): ServiceProfile {
  const selfMicros = new Map<string, { fn: string; where: string; micros: number }>();
  let total = 0;
  for (const profile of profiles) {
    const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
    profile.samples.forEach((id, i) => {
      const frame = byId.get(id)!;
      const delta = profile.timeDeltas[i] ?? 0;
      total += delta;
      const fn = frame.functionName || "(anonymous)";
      const where = place(frame.url, frame.lineNumber);
      const key = `${fn} ${where}`;
      const entry = selfMicros.get(key) ?? { fn, where, micros: 0 };
      entry.micros += delta;
      selfMicros.set(key, entry);
    });
  }
  const shareOf = (fn: string) =>
    [...selfMicros.values()].filter((e) => e.fn === fn).reduce((s, e) => s + e.micros, 0) / total;
  const ranked = [...selfMicros.values()]
    .filter((e) => e.fn !== "(idle)")
    .sort((a, b) => b.micros - a.micros)
    .slice(0, top);
  return {
    service,
    total_ms: Math.round(total / 1000),
    idle_share: Number(shareOf("(idle)").toFixed(3)),
    gc_share: Number(shareOf("(garbage collector)").toFixed(3)),
    top: ranked.map((e) => ({
      function: e.fn,
      where: e.where,
      self_ms: Math.round(e.micros / 1000),
      share: Number((e.micros / total).toFixed(3)),
    })),
  };
}

/** Every service folder under `dir` (history, delivery, edge-0, …). */
export function summariseDir(dir: string, top = 15): ServiceProfile[] {
  return readdirSync(dir)
    .filter((name) => statSync(join(dir, name)).isDirectory())
    .map((service) => {
      const files = readdirSync(join(dir, service)).filter((f) => f.endsWith(".cpuprofile"));
      const profiles = files.map(
        (f) => JSON.parse(readFileSync(join(dir, service, f), "utf8")) as CpuProfile,
      );
      return summarise(service, profiles, top);
    })
    .filter((p) => p.total_ms > 0);
}

export function printProfiles(profiles: ServiceProfile[]): void {
  for (const p of profiles) {
    const busy = (1 - p.idle_share) * 100;
    console.log(
      `\n${p.service}: ${p.total_ms} ms profiled, ${busy.toFixed(0)}% busy, GC ${(p.gc_share * 100).toFixed(1)}%`,
    );
    console.table(
      p.top.map((h) => ({
        "self %": (h.share * 100).toFixed(1),
        function: h.function,
        where: h.where,
      })),
    );
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: "string", default: "15" } },
  });
  if (!positionals[0])
    throw new Error("usage: npx tsx bench/profile.ts <profile folder> [--top N]");
  printProfiles(summariseDir(positionals[0], Number(values.top)));
}
