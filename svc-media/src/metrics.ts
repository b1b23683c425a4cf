import { parleyMeter } from "@parley/common";

// Made when this module loads, which main.ts lets happen only after
// telemetry started (a meter taken earlier would stay a no-op).
const meter = parleyMeter();

/** Presigned URLs handed out: uploads and downloads. */
export const grants = meter.createCounter("parley.media.grants", {
  description: "Presigned URLs granted, by kind (upload, download).",
  unit: "{grant}",
});

/** CompleteUpload outcomes: ready, or refused with a reason code. */
export const completions = meter.createCounter("parley.media.completions", {
  description: "Upload completions, by result (ready, refused) and reason.",
  unit: "{completion}",
});
