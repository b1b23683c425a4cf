import { parleyMeter } from "@parley/common";

// Made when this module loads, which main.ts lets happen only after
// telemetry started (a meter taken earlier would stay a no-op).
const meter = parleyMeter();

/** Inbox writes done by fanout: one per recipient of each log entry. */
export const fanoutWrites = meter.createCounter("parley.fanout.writes", {
  description: "Inbox entries written by fanout (one per recipient of each log entry).",
  unit: "{entry}",
});

/** Log entries fanned out (all their inbox writes done and the entry acked). */
export const fanoutEntries = meter.createCounter("parley.fanout.entries", {
  description: "Conversation log entries fanned out to every recipient.",
  unit: "{entry}",
});

/** Sends appended to the conversation log, and refused ones by reason. */
export const sendsCounter = meter.createCounter("parley.delivery.sends", {
  description:
    "Sends (of SendMessage and SendMessages) accepted (appended or duplicate) or refused with a reason.",
  unit: "{send}",
});
