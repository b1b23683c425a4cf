import {
  commonSettings,
  ConfigError,
  hostPort,
  intIn,
  loadConfig,
  natsSettings,
} from "@parley/common";
import { str } from "envalid";

export const deliverySettings = {
  ...commonSettings,
  ...natsSettings,
  GRPC_ADDRESS: hostPort({
    default: "0.0.0.0:7101",
    desc: "Address the DeliveryService gRPC server binds (host:port; port 0 picks one).",
  }),
  HISTORY_ADDRESS: hostPort({
    default: "127.0.0.1:7102",
    desc: "svc-history's gRPC address, asked where a retried send was stored and who belongs to a group.",
  }),
  HISTORY_LOOKUP_TIMEOUT_MS: intIn(10)({
    default: 1_000,
    desc: "How long a retried send waits for history's answer before it goes to the log (where the duplicate window still applies).",
  }),
  MEMBERSHIP_LOOKUP_TIMEOUT_MS: intIn(10)({
    default: 2_000,
    desc: "How long a group send waits for svc-history to list the group's members before answering UNAVAILABLE. With PUBLISH_TIMEOUT_MS it must fit in the callers' deadline.",
  }),
  MEDIA_ADDRESS: hostPort({
    default: "127.0.0.1:7104",
    desc: "svc-media's gRPC address, asked whether a send's media is ready and the sender's (AttachMedia).",
  }),
  MEDIA_ATTACH_TIMEOUT_MS: intIn(10)({
    default: 2_000,
    desc: "How long a send with media waits for svc-media's answer before answering UNAVAILABLE. With PUBLISH_TIMEOUT_MS it must fit in the callers' deadline.",
  }),
  MEMBERSHIP_CACHE_SIZE: intIn(
    1,
    100_000_000,
  )({
    default: 200_000,
    desc: "Member ids the group membership cache holds, summed over its groups (a group of 10 counts 10); the least recently used groups go first.",
  }),
  MEMBERSHIP_CACHE_TTL_MS: intIn(100)({
    default: 60_000,
    desc: "How long a cached member list is used before it is read again. Changes drop it at once (svc-history announces them); this bounds the damage of an announcement lost in transit.",
  }),
  MAX_BODY_BYTES: intIn(
    1,
    1024 * 1024,
  )({
    default: 16 * 1024,
    desc: "Largest text body accepted, in UTF-8 bytes.",
  }),
  PUBLISH_TIMEOUT_MS: intIn(100)({
    default: 3_000,
    desc: "How long a send waits for JetStream to acknowledge the log write before answering UNAVAILABLE. Keep it below the callers' deadline (the edge's EDGE_GRPC_DEADLINE_MS), so they hear why.",
  }),
  FANOUT_MAX_IN_FLIGHT: intIn(
    1,
    100_000,
  )({
    default: 1_000,
    desc: "Log entries a partition fans out concurrently (inbox writes are pipelined, acks awaited in bulk).",
  }),
  FANOUT_RETRY_MAX_MS: intIn(10)({
    default: 5_000,
    desc: "Cap of the growing delay between retries of a failed inbox write.",
  }),
  FANOUT_MEMBERSHIP_SNAPSHOTS: intIn(
    1,
    100_000_000,
  )({
    default: 200_000,
    desc: "Member ids of the latest membership events fanout remembers, summed over groups. A group whose snapshot was dropped is fanned out to the member list stamped at send time.",
  }),
  FANOUT_PARTITIONS: str({
    default: "all",
    desc: 'Which log partitions this instance fans out: "all", or a comma list such as "0,1,2,3". Every partition needs exactly one live instance.',
  }),
};

export type DeliveryConfig = ReturnType<typeof loadDeliveryConfig>;

export function loadDeliveryConfig(onUnknown?: (name: string) => void) {
  return loadConfig(deliverySettings, { warnPrefixes: ["FANOUT_", "MEMBERSHIP_"], onUnknown });
}

/** The partitions named by FANOUT_PARTITIONS, checked against the count. */
export function fanoutPartitions(spec: string, partitions: number): number[] {
  if (spec.trim() === "all") return Array.from({ length: partitions }, (_, p) => p);
  const chosen = spec.split(",").map((part) => part.trim());
  for (const p of chosen) {
    if (!/^\d+$/.test(p) || Number(p) >= partitions) {
      throw new ConfigError(`FANOUT_PARTITIONS: "${p}" is not a partition of 0..${partitions - 1}`);
    }
  }
  return [...new Set(chosen.map(Number))];
}
