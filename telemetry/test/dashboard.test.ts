import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

const ROOT = new URL("../../", import.meta.url).pathname;

/** Series the services do not declare themselves: runtime metrics and Prometheus's own. */
const EXTERNAL = new Set(["nodejs_eventloop_delay_p99", "up"]);

/**
 * The Prometheus series names of every instrument the services declare
 * (parleyMeter().createX("name") in their metrics modules and in common),
 * as OpenTelemetry's Prometheus exporter writes them.
 */
function declaredSeries(): Set<string> {
  const series = new Set(EXTERNAL);
  const sources = [
    "common/src",
    ...readdirSync(ROOT)
      .filter((d) => d.startsWith("svc-"))
      .map((d) => `${d}/src`),
  ];
  const declaration =
    /create(Counter|UpDownCounter|Histogram|ObservableGauge)\(\s*"([a-z0-9_.]+)"/g;
  for (const dir of sources) {
    for (const file of readdirSync(join(ROOT, dir), { recursive: true, encoding: "utf8" })) {
      if (!file.endsWith(".ts")) continue;
      for (const [, kind, name] of readFileSync(join(ROOT, dir, file), "utf8").matchAll(
        declaration,
      )) {
        const base = name!.replaceAll(".", "_");
        if (kind === "Counter") series.add(`${base}_total`);
        else if (kind === "Histogram")
          for (const s of ["bucket", "count", "sum"]) series.add(`${base}_${s}`);
        else series.add(base);
      }
    }
  }
  return series;
}

/** Metric names a PromQL expression reads (label names and functions left out). */
function metricsIn(expr: string): string[] {
  const withoutLabels = expr
    .replace(/\{[^}]*\}/g, "")
    .replace(/\b(by|without)\s*\([^)]*\)/g, "")
    .replace(/"[^"]*"/g, "");
  return [
    ...withoutLabels.matchAll(/\b(parley_[a-z0-9_]+|rpc_[a-z0-9_]+|nodejs_[a-z0-9_]+|up)\b/g),
  ].map((m) => m[1]!);
}

describe("telemetry: the dashboard and the alert rules read series the services expose", () => {
  const series = declaredSeries();

  it("should declare the series the issue names", () => {
    for (const name of [
      "parley_edge_connections",
      "parley_edge_frames_in_total",
      "parley_edge_sends_total",
      "parley_fanout_writes_total",
      "parley_delivery_latency_bucket",
      "parley_edge_catchup_entries_bucket",
      "parley_jetstream_consumer_pending",
      "parley_jetstream_consumer_redelivered",
      "parley_history_batch_size_bucket",
      "parley_history_write_duration_bucket",
      "parley_media_grants_total",
      "parley_presence_updates_total",
      "rpc_server_duration_bucket",
    ]) {
      assert.ok(series.has(name), `${name} is declared`);
    }
  });

  it("should build every dashboard panel from declared series", () => {
    const dashboard = JSON.parse(
      readFileSync(join(ROOT, "telemetry/grafana/parley.json"), "utf8"),
    ) as {
      uid: string;
      panels: { type: string; title: string; targets?: { expr: string }[] }[];
    };
    assert.equal(dashboard.uid, "parley-overview");
    const graphs = dashboard.panels.filter((p) => p.type !== "row");
    assert.ok(graphs.length >= 12, `${graphs.length} panels`);
    for (const panel of graphs) {
      assert.ok(panel.targets && panel.targets.length > 0, `${panel.title} has queries`);
      for (const { expr } of panel.targets) {
        const names = metricsIn(expr);
        assert.ok(names.length > 0, `${panel.title}: ${expr} reads a series`);
        for (const name of names)
          assert.ok(series.has(name), `${panel.title}: ${name} is not exposed`);
      }
    }
  });

  it("should write every alert rule over declared series", () => {
    const rules = parse(readFileSync(join(ROOT, "telemetry/prometheus/alerts.yml"), "utf8")) as {
      groups: { name: string; rules: { alert: string; expr: string; for: string }[] }[];
    };
    const alerts = rules.groups.flatMap((g) => g.rules);
    assert.ok(alerts.some((a) => a.alert === "ParleyDeliveryLatencyHigh"));
    assert.ok(alerts.some((a) => a.alert === "ParleyConsumerBacklogGrowing"));
    assert.ok(alerts.some((a) => a.alert === "ParleyEdgeEventLoopDelayHigh"));
    for (const rule of alerts) {
      assert.match(rule.for, /^\d+m$/, `${rule.alert} waits before firing`);
      for (const name of metricsIn(rule.expr)) {
        assert.ok(series.has(name), `${rule.alert}: ${name} is not exposed`);
      }
    }
  });
});
