import {
  commonSettings,
  ConfigError,
  hostPort,
  intIn,
  loadConfig,
  natsSettings,
} from "@parley/common";
import { postgresSettings } from "@parley/common/pg";
import { type CleanedEnv } from "envalid";

/** Every key svc-presence reads from its environment. */
export const presenceSpec = {
  ...commonSettings,
  ...natsSettings,
  GRPC_ADDRESS: hostPort({
    default: "0.0.0.0:7103",
    desc: "Address the gRPC server binds (PresenceService and grpc.health.v1); port 0 picks a free port.",
  }),
  GRPC_STOP_GRACE_MS: intIn(
    0,
    60_000,
  )({
    default: 5_000,
    desc: "How long in-flight gRPC calls may run on at shutdown before they are cancelled (WatchPresence streams are ended at once).",
  }),
  ...postgresSettings("the last_seen table", { default: 5 }),
  PRESENCE_LEASE_TTL_MS: intIn(
    1_000,
    3_600_000,
  )({
    default: 30_000,
    desc: "How long an edge's lease lasts without a report (the lease bucket's TTL). A silent edge's users go offline about this long after its last report. Rule: several of the edge's report intervals (5 s) and well above its report deadline (10 s), so one slow or failed report does not end the lease; and at least PRESENCE_OFFLINE_GRACE_MS plus two report intervals, so that a device of a dead edge that reconnects to another edge within the grace period is reported there before the lease ends. Applied when the bucket is created; a bucket that exists keeps its TTL (a warning names the difference).",
  }),
  PRESENCE_OFFLINE_GRACE_MS: intIn(
    0,
    3_600_000,
  )({
    default: 15_000,
    desc: "How long a user whose last device left still shows online; a reconnect within it shows no change. Rule: at least twice the edge's report interval (5 s) plus a sweep interval, because the grace period starts when the disconnect's report is applied, up to one interval after the real disconnect, and the reconnect is reported up to an interval late too: a 2-second reconnect must never show offline. Pending marks live max(1 h, 20 × this) (the pending bucket's TTL).",
  }),
  PRESENCE_SWEEP_INTERVAL_MS: intIn(
    50,
    600_000,
  )({
    default: 1_000,
    desc: "Time between two sweeps (users past their grace period go offline; edges whose lease ran out lose their devices).",
  }),
  PRESENCE_MAX_USERS_PER_CALL: intIn(
    1,
    100_000,
  )({
    default: 500,
    desc: "Most user ids one GetPresence or WatchPresence call may name; more is INVALID_ARGUMENT.",
  }),
  PRESENCE_MAX_EVENTS_PER_REPORT: intIn(
    1,
    100_000,
  )({
    default: 10_000,
    desc: "Most device events one ReportPresence call may carry; more is INVALID_ARGUMENT (the edge splits larger reports). At 64-character ids, 10,000 events stay under gRPC's 4 MB message limit.",
  }),
  PRESENCE_STORE_CONCURRENCY: intIn(
    1,
    10_000,
  )({
    default: 256,
    desc: "Users whose records one report, sweep or edge cleanup updates at the same time.",
  }),
};

export type PresenceConfig = CleanedEnv<typeof presenceSpec>;

/**
 * Reads and checks the configuration. Throws ConfigError naming every bad
 * key; `onUnknown` hears of PRESENCE_* variables that match no key (typos).
 */
export function loadPresenceConfig(onUnknown: (name: string) => void): PresenceConfig {
  const config = loadConfig(presenceSpec, { warnPrefixes: ["PRESENCE_"], onUnknown });
  if (config.PRESENCE_SWEEP_INTERVAL_MS > config.PRESENCE_LEASE_TTL_MS) {
    throw new ConfigError(
      "invalid configuration: PRESENCE_SWEEP_INTERVAL_MS must not exceed PRESENCE_LEASE_TTL_MS",
    );
  }
  return { ...config, DATABASE_SCHEMA: config.DATABASE_SCHEMA || config.PARLEY_NAMESPACE };
}
