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

/** Every key svc-history reads from its environment. */
export const historySpec = {
  ...commonSettings,
  ...natsSettings,
  GRPC_ADDRESS: hostPort({
    default: "0.0.0.0:7102",
    desc: "Address the gRPC server binds (HistoryService, ConversationService and grpc.health.v1); port 0 picks a free port.",
  }),
  GRPC_STOP_GRACE_MS: intIn(
    0,
    60_000,
  )({
    default: 5_000,
    desc: "How long in-flight gRPC calls may run on at shutdown before they are cancelled.",
  }),
  ...postgresSettings("the history tables", { default: 10, why: "the writer uses one at a time" }),
  HISTORY_BATCH_MAX: intIn(
    1,
    5_000,
  )({
    default: 500,
    desc: "Most log entries written in one transaction.",
  }),
  HISTORY_BATCH_WAIT_MS: intIn(
    0,
    10_000,
  )({
    default: 20,
    desc: "How long a batch waits for more entries after its first one; bounds write latency at light load.",
  }),
  HISTORY_RETRY_MAX_MS: intIn(
    10,
    60_000,
  )({
    default: 5_000,
    desc: "Cap of the growing delay between retries of a failed batch write or of lost log consumption.",
  }),
  HISTORY_RETENTION_DAYS: intIn(
    0,
    36_500,
  )({
    default: 0,
    desc: "Delete messages older than this many days; 0 keeps everything (the default).",
  }),
  HISTORY_RETENTION_INTERVAL_MS: intIn(100)({
    default: 60 * 60 * 1000,
    desc: "Time between two retention passes (when HISTORY_RETENTION_DAYS is set).",
  }),
  HISTORY_RETENTION_BATCH: intIn(
    1,
    100_000,
  )({
    default: 500,
    desc: "Conversations covered by one retention DELETE statement.",
  }),
  HISTORY_PAGE_DEFAULT: intIn(
    1,
    10_000,
  )({
    default: 50,
    desc: "GetHistory page size when the request leaves limit at 0.",
  }),
  HISTORY_PAGE_MAX: intIn(
    1,
    10_000,
  )({
    default: 200,
    desc: "Largest GetHistory page; larger requested limits are lowered to it.",
  }),
  HISTORY_GROUP_MAX_MEMBERS: intIn(
    2,
    100_000,
  )({
    default: 1_024,
    desc: "Most members a group may have, its creator included; CreateGroup and AddMembers refuse more with INVALID_ARGUMENT.",
  }),
  HISTORY_RECEIPTS_MAX_UPDATES: intIn(
    1,
    100_000,
  )({
    default: 5_000,
    desc: "Most watermark updates one RecordReceipts call may carry; a larger call is refused with INVALID_ARGUMENT.",
  }),
  HISTORY_PUBLISH_TIMEOUT_MS: intIn(
    100,
    60_000,
  )({
    default: 5_000,
    desc: "How long appending a membership or receipt event to the conversation log may take before the call fails with UNAVAILABLE.",
  }),
};

export type HistoryConfig = CleanedEnv<typeof historySpec>;

/**
 * Reads and checks the configuration. Throws ConfigError naming every bad
 * key; `onUnknown` hears of HISTORY_* variables that match no key (typos).
 */
export function loadHistoryConfig(onUnknown: (name: string) => void): HistoryConfig {
  const config = loadConfig(historySpec, { warnPrefixes: ["HISTORY_"], onUnknown });
  if (config.HISTORY_PAGE_DEFAULT > config.HISTORY_PAGE_MAX) {
    throw new ConfigError(
      "invalid configuration: HISTORY_PAGE_DEFAULT must not exceed HISTORY_PAGE_MAX",
    );
  }
  return { ...config, DATABASE_SCHEMA: config.DATABASE_SCHEMA || config.PARLEY_NAMESPACE };
}
