// How every scenario reports: a table on stdout and one JSON file of the
// whole run under bench/results/ (gitignored).
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build, decodeFromCompressedBase64, type Histogram } from "hdr-histogram-js";

export const RESULTS_DIR = fileURLToPath(new URL("../results/", import.meta.url));

/** Writes `result` as bench/results/<scenario>-<time>.json; returns the path. */
export function writeResult(scenario: string, result: object): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const path = `${RESULTS_DIR}${scenario}-${stamp}.json`;
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
  return path;
}

export interface Percentiles {
  count: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  max_ms: number;
}

/** Percentiles in ms of a histogram of µs. */
export function percentiles(h: Histogram): Percentiles {
  const ms = (micros: number) => Number((micros / 1000).toFixed(1));
  return {
    count: h.totalCount,
    p50_ms: ms(h.getValueAtPercentile(50)),
    p90_ms: ms(h.getValueAtPercentile(90)),
    p99_ms: ms(h.getValueAtPercentile(99)),
    max_ms: ms(h.maxValue),
  };
}

/** Merges compressed histograms (from the workers) into one. */
export function mergeHistograms(encoded: string[]): Histogram {
  const total = build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000 });
  for (const one of encoded) total.add(decodeFromCompressedBase64(one));
  return total;
}

/** "12.3 / 45.6 / 78.9 / 99.0" (p50 / p90 / p99 / max, ms) for a table cell. */
export function latencyCell(p: Percentiles): string {
  return p.count === 0 ? "-" : `${p.p50_ms} / ${p.p90_ms} / ${p.p99_ms} / ${p.max_ms}`;
}

export const round = (value: number) => Math.round(value);
export const kib = (bytes: number) => Number((bytes / 1024).toFixed(1));
export const mib = (bytes: number) => Number((bytes / 1048576).toFixed(1));
