// Imported by every service's main before anything else, as
// @parley/common/telemetry: the instrumentations patch gRPC, HTTP, pg and
// pino as those load, so this module must not import them itself.
import { register } from "node:module";
import { GrpcInstrumentation } from "@opentelemetry/instrumentation-grpc";
import { HttpInstrumentation } from "@opentelemetry/instrumentation-http";
import { PgInstrumentation } from "@opentelemetry/instrumentation-pg";
import { PinoInstrumentation } from "@opentelemetry/instrumentation-pino";
import { RuntimeNodeInstrumentation } from "@opentelemetry/instrumentation-runtime-node";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { createAddHookMessageChannel } from "import-in-the-middle";
import { onTelemetryStop } from "./lifecycle.js";

/**
 * Defaults for the standard OTEL_* variables where the SDK's own would not
 * suit a local run: nothing is exported unless configured (the SDK would
 * send OTLP to localhost), and traces are sampled at 1% of the messages
 * that start one, following the caller's decision otherwise.
 */
const DEFAULTS: Record<string, string> = {
  OTEL_TRACES_EXPORTER: "none",
  OTEL_METRICS_EXPORTER: "none",
  OTEL_LOGS_EXPORTER: "none",
  OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
  OTEL_TRACES_SAMPLER_ARG: "0.01",
};

/**
 * Starts OpenTelemetry for the service, configured by the standard OTEL_*
 * environment variables (exporters, endpoints, sampler, resource). With
 * every exporter off, nothing is started: the instrumentations would still
 * wrap each gRPC call and query for nothing (about 1% of svc-delivery's
 * CPU), and the API hands out no-op tracers and meters anyway.
 */
export async function startTelemetry(serviceName: string): Promise<void> {
  for (const [key, value] of Object.entries(DEFAULTS)) process.env[key] ??= value;
  process.env.OTEL_SERVICE_NAME ??= serviceName;
  const traces = exporting("OTEL_TRACES_EXPORTER");
  const logs = exporting("OTEL_LOGS_EXPORTER");
  if (!traces && !logs && !exporting("OTEL_METRICS_EXPORTER")) return;

  // ESM imports of the instrumented packages go through this hook; it
  // wraps only the modules the instrumentations ask for.
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register("import-in-the-middle/hook.mjs", import.meta.url, registerOptions);

  // The span-making instrumentations only when spans go somewhere: with
  // metrics alone they would wrap every call and query for nothing.
  const spans = traces
    ? [
        new HttpInstrumentation({
          // Health probes and scrapes would otherwise be most of the traces.
          ignoreIncomingRequestHook: (request) =>
            request.url === "/healthz" || request.url === "/metrics",
        }),
        new GrpcInstrumentation({ ignoreGrpcMethods: ["Check", "Watch"] }),
        new PgInstrumentation({ requireParentSpan: true }),
      ]
    : [];
  // Trace ids in log lines with tracing; log records over OTLP only when a
  // log exporter is configured (stdout has them anyway).
  const logging =
    traces || logs
      ? [
          new PinoInstrumentation({
            logKeys: { traceId: "trace_id", spanId: "span_id", traceFlags: "trace_flags" },
            disableLogSending: !logs,
          }),
        ]
      : [];
  const sdk = new NodeSDK({
    instrumentations: [...spans, ...logging, new RuntimeNodeInstrumentation()],
  });
  sdk.start();
  onTelemetryStop(() => sdk.shutdown());
  await waitForAllMessagesAcknowledged();
}

/** Whether the comma-separated exporter list names anything but "none". */
function exporting(key: string): boolean {
  return process.env[key]!.split(",").some((e) => e.trim() !== "none" && e.trim() !== "");
}
