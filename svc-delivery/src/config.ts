import { commonSettings, loadConfig, natsSettings } from "@parley/common";
import { num, str } from "envalid";

export const deliverySettings = {
  ...commonSettings,
  ...natsSettings,
  GRPC_ADDRESS: str({
    default: "0.0.0.0:7101",
    desc: "Address the DeliveryService gRPC server binds (host:port; port 0 picks one).",
  }),
  MAX_BODY_BYTES: num({
    default: 16 * 1024,
    desc: "Largest text body accepted, in UTF-8 bytes.",
  }),
  PUBLISH_TIMEOUT_MS: num({
    default: 5_000,
    desc: "How long a send waits for JetStream to acknowledge the log write before answering UNAVAILABLE.",
  }),
  FANOUT_MAX_IN_FLIGHT: num({
    default: 1_000,
    desc: "Log entries a partition fans out concurrently (inbox writes are pipelined, acks awaited in bulk).",
  }),
  FANOUT_RETRY_MAX_MS: num({
    default: 5_000,
    desc: "Cap of the growing delay between retries of a failed inbox write.",
  }),
  FANOUT_PARTITIONS: str({
    default: "all",
    desc: 'Which log partitions this instance fans out: "all", or a comma list such as "0,1,2,3". Every partition needs exactly one live instance.',
  }),
};

export type DeliveryConfig = ReturnType<typeof loadDeliveryConfig>;

export function loadDeliveryConfig(onUnknown?: (name: string) => void) {
  return loadConfig(deliverySettings, { warnPrefixes: ["FANOUT_"], onUnknown });
}

/** The partitions named by FANOUT_PARTITIONS, checked against the count. */
export function fanoutPartitions(spec: string, partitions: number): number[] {
  if (spec.trim() === "all") return Array.from({ length: partitions }, (_, p) => p);
  const chosen = spec.split(",").map((part) => Number(part.trim()));
  for (const p of chosen) {
    if (!Number.isInteger(p) || p < 0 || p >= partitions) {
      throw new Error(`FANOUT_PARTITIONS: ${p} is not a partition of 0..${partitions - 1}`);
    }
  }
  return [...new Set(chosen)];
}
