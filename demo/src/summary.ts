// The figures a run prints: what was replayed, how fast, how late, and
// what the check found.
import type * as hdr from "hdr-histogram-js";
import type { Check } from "./check.js";
import type { Plan } from "./plan.js";
import type { Replay } from "./replay.js";

export interface Summary {
  ok: boolean;
  users: number;
  conversations: { direct: number; group: number; average_group_size: number };
  messages: { total: number; in_groups: number; with_image: number; body_bytes_average: number };
  deliveries: number;
  seconds: number;
  messages_per_second: number;
  deliveries_per_second: number;
  latency_ms: { send_to_sent: Percentiles; send_to_receive: Percentiles };
  check: Omit<Check, "ok" | "problems">;
  problems: string[];
}

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function summarize(plan: Plan, run: Replay, check: Check): Summary {
  const groups = plan.conversations.filter((c) => c.kind === "group");
  const inGroups = groups.reduce((n, g) => n + g.messages.length, 0);
  const bytes = plan.messages.reduce((n, m) => n + Buffer.byteLength(m.body), 0);
  const { ok, problems, ...counts } = check;
  return {
    ok,
    users: plan.users.length,
    conversations: {
      direct: plan.conversations.length - groups.length,
      group: groups.length,
      average_group_size: round(
        groups.reduce((n, g) => n + g.members.length, 0) / (groups.length || 1),
      ),
    },
    messages: {
      total: plan.messages.length,
      in_groups: inGroups,
      with_image: run.images.size,
      body_bytes_average: Math.round(bytes / (plan.messages.length || 1)),
    },
    deliveries: check.deliveries,
    seconds: round(run.seconds),
    messages_per_second: Math.round(check.acked / run.seconds),
    deliveries_per_second: Math.round(check.deliveries / run.seconds),
    latency_ms: {
      send_to_sent: percentiles(run.sendToSent),
      send_to_receive: percentiles(run.sendToReceive),
    },
    check: counts,
    problems,
  };
}

/** The summary as a few aligned lines for a terminal. */
export function format(s: Summary): string {
  const row = (name: string, p: Percentiles) =>
    `  ${name.padEnd(22)} ${[p.p50, p.p90, p.p99, p.max].map((v) => String(v).padStart(8)).join("")}`;
  const c = s.check;
  return [
    `users ${s.users}; conversations ${s.conversations.direct + s.conversations.group} ` +
      `(${s.conversations.direct} 1:1, ${s.conversations.group} groups of ${s.conversations.average_group_size} on average)`,
    `messages ${s.messages.total} (${s.messages.in_groups} in groups, ${s.messages.with_image} with an image, ` +
      `${s.messages.body_bytes_average} B body on average); deliveries ${s.deliveries}`,
    `replayed in ${s.seconds} s: ${s.messages_per_second} messages/s, ${s.deliveries_per_second} deliveries/s`,
    `latency (ms)                  p50     p90     p99     max`,
    row("send → sent", s.latency_ms.send_to_sent),
    row("send → received", s.latency_ms.send_to_receive),
    `check: ${c.deliveries}/${c.deliveriesExpected} deliveries, ${c.missing} missing, ${c.duplicates} duplicates, ` +
      `${c.outOfOrder} out of order, ${c.mismatched} altered, ${c.unexpected} unexpected; ` +
      `history ${c.historyMessages}/${c.acked} (${c.historyMissing} missing); ` +
      `images ${c.imagesDownloaded - c.imagesMismatched}/${s.messages.with_image} downloaded intact`,
    ...s.problems.map((p) => `  problem: ${p}`),
    s.ok
      ? "OK: every message arrived once, in order, intact, and history holds them all"
      : "FAILED",
  ].join("\n");
}

function percentiles(h: hdr.Histogram): Percentiles {
  const ms = (micros: number) => round(micros / 1000);
  return {
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p99: ms(h.getValueAtPercentile(99)),
    max: ms(h.maxValue),
  };
}

const round = (n: number) => Math.round(n * 10) / 10;
