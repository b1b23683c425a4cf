// Telemetry starts before anything else loads: its instrumentations patch
// gRPC, HTTP, pg and pino as they are imported. The service itself is in
// run.ts.
import { startTelemetry } from "@parley/common/telemetry";

await startTelemetry("svc-delivery");
await import("./run.js");
