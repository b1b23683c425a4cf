import { metrics, trace, type Meter, type Tracer } from "@opentelemetry/api";

/**
 * Parley's own tracer and meter. Taken at call time, not at import: the
 * services import telemetry first and the rest after, but a meter taken
 * before the SDK registers its provider would stay a no-op for good.
 */
export function parleyTracer(): Tracer {
  return trace.getTracer("parley");
}

export function parleyMeter(): Meter {
  return metrics.getMeter("parley");
}
