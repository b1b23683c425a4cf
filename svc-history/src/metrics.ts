import { parleyMeter } from "@parley/common";

// Made when this module loads, which main.ts lets happen only after
// telemetry started (a meter taken earlier would stay a no-op).
const meter = parleyMeter();

/** Messages (and membership events) per committed batch. */
export const batchSize = meter.createHistogram("parley.history.batch.size", {
  description: "Log entries stored per batch (one transaction).",
  unit: "{entry}",
  advice: { explicitBucketBoundaries: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] },
});

/** From a batch's first write attempt to its commit, retries included. */
export const batchWriteDuration = meter.createHistogram("parley.history.write.duration", {
  description: "Time to store one batch, retries included.",
  unit: "ms",
});

/** Entries stored (new rows; repeats of stored entries are not counted). */
export const storedEntries = meter.createCounter("parley.history.stored", {
  description: "Log entries stored as new rows.",
  unit: "{entry}",
});
