import { parleyMeter } from "@parley/common";

// Made when this module loads, which main.ts lets happen only after
// telemetry started (a meter taken earlier would stay a no-op).
const meter = parleyMeter();

/** WebSocket connections open now (handshaken or not). */
export const openConnections = meter.createUpDownCounter("parley.edge.connections", {
  description: "WebSocket connections open in this edge process.",
  unit: "{connection}",
});

export const connects = meter.createCounter("parley.edge.connects", {
  description: "WebSocket connections accepted.",
  unit: "{connection}",
});

export const disconnects = meter.createCounter("parley.edge.disconnects", {
  description: "WebSocket connections ended, by close code.",
  unit: "{connection}",
});

export const framesIn = meter.createCounter("parley.edge.frames.in", {
  description: "Frames received from clients, by type ('invalid' for undecodable ones).",
  unit: "{frame}",
});

export const framesOut = meter.createCounter("parley.edge.frames.out", {
  description: "Frames sent to clients, by type.",
  unit: "{frame}",
});

export const sends = meter.createCounter("parley.edge.sends", {
  description: "send frames: accepted (sent answered) or refused, by error code.",
  unit: "{send}",
});

/** From the server accepting a message to the recipient device's ack. */
export const deliveryLatency = meter.createHistogram("parley.delivery.latency", {
  description: "Time from a message's acceptance (sent_at) to the recipient device acking it.",
  unit: "ms",
  advice: {
    explicitBucketBoundaries: [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 60000],
  },
});

/** Inbox entries a session read from the stream to catch up (0: nothing missed). */
export const catchUpEntries = meter.createHistogram("parley.edge.catchup.entries", {
  description: "Inbox entries delivered by one catch-up (backlog read from the stream).",
  unit: "{entry}",
  advice: { explicitBucketBoundaries: [0, 1, 10, 100, 1000, 10000] },
});
