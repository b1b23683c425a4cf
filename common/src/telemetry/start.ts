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
  const exporters = ["OTEL_TRACES_EXPORTER", "OTEL_METRICS_EXPORTER", "OTEL_LOGS_EXPORTER"];
  if (exporters.every((key) => process.env[key]!.split(",").every((e) => e.trim() === "none"))) {
    return;
  }

  // ESM imports of the instrumented packages go through this hook; it
  // wraps only the modules the instrumentations ask for.
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register("import-in-the-middle/hook.mjs", import.meta.url, registerOptions);

  const sdk = new NodeSDK({
    instrumentations: [
      new HttpInstrumentation({
        // Health probes would otherwise be most of the edge's traces.
        ignoreIncomingRequestHook: (request) => request.url === "/healthz",
      }),
      new GrpcInstrumentation({ ignoreGrpcMethods: ["Check", "Watch"] }),
      new PgInstrumentation({ requireParentSpan: true }),
      new PinoInstrumentation({
        logKeys: { traceId: "trace_id", spanId: "span_id", traceFlags: "trace_flags" },
      }),
      new RuntimeNodeInstrumentation(),
    ],
  });
  sdk.start();
  onTelemetryStop(() => sdk.shutdown());
  await waitForAllMessagesAcknowledged();
}
