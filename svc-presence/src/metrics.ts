import { parleyMeter } from "@parley/common";

// Made when this module loads, which main.ts lets happen only after
// telemetry started (a meter taken earlier would stay a no-op).
const meter = parleyMeter();

/** Changes of a user's presence announced to watchers. */
export const presenceUpdates = meter.createCounter("parley.presence.updates", {
  description: "Presence changes announced (a user going online or offline).",
  unit: "{update}",
});

/** Device connects and disconnects the edges reported. */
export const deviceEvents = meter.createCounter("parley.presence.device_events", {
  description: "Device connects and disconnects reported by the edges.",
  unit: "{event}",
});
