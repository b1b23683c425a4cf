import { str } from "envalid";
import { intIn } from "./validators.js";

/**
 * Config keys every service reads, so they are spelled and defaulted once.
 * Each service spreads the ones it uses into its own schema.
 */
export const commonSettings = {
  LOG_LEVEL: str({
    default: "info",
    choices: ["fatal", "error", "warn", "info", "debug", "trace", "silent"],
    desc: "Lowest log level written (JSON lines on stdout).",
  }),
  SHUTDOWN_DEADLINE_MS: intIn(100)({
    default: 15_000,
    desc: "How long an orderly stop may take before the process is forced to exit.",
  }),
};

export const natsSettings = {
  NATS_URL: str({
    default: "nats://127.0.0.1:4222",
    desc: "NATS server(s), comma separated; JetStream must be enabled.",
  }),
  PARLEY_NAMESPACE: str({
    default: "parley",
    desc: "Prefix of every NATS subject, stream and bucket; lets deployments (and test runs) share one NATS.",
  }),
  PARLEY_PARTITIONS: intIn(
    1,
    1024,
  )({
    default: 8,
    desc: "Partitions of the conversation log. Fixed for the life of a deployment: changing it reorders in-flight conversations.",
  }),
  PARLEY_STREAM_REPLICAS: intIn(
    1,
    5,
  )({
    default: 1,
    desc: "JetStream replicas of each stream (3 in a NATS cluster).",
  }),
  PARLEY_SEND_DEDUP_WINDOW_MS: intIn(1_000)({
    default: 2 * 60 * 60 * 1000,
    desc: "How long a send's idempotency key (sender, device, client message id) is remembered.",
  }),
  PARLEY_INBOX_MAX_AGE_MS: intIn(10 * 60 * 1000)({
    default: 30 * 24 * 60 * 60 * 1000,
    desc: "How long an undelivered entry waits in a user's inbox (the offline window); at least the inbox's 10-minute duplicate window.",
  }),
  PARLEY_FANOUT_ACK_WAIT_MS: intIn(500)({
    default: 10_000,
    desc: "How long a log entry may stay unacked by fanout before it is handed out again (bounds the stall after a fanout crash).",
  }),
  PARLEY_HISTORY_ACK_WAIT_MS: intIn(500)({
    default: 30_000,
    desc: "How long a log entry may stay unacked by svc-history before it is handed out again.",
  }),
};

export interface NatsSettings {
  PARLEY_NAMESPACE: string;
  PARLEY_PARTITIONS: number;
  PARLEY_STREAM_REPLICAS: number;
  PARLEY_SEND_DEDUP_WINDOW_MS: number;
  PARLEY_INBOX_MAX_AGE_MS: number;
  PARLEY_FANOUT_ACK_WAIT_MS: number;
  PARLEY_HISTORY_ACK_WAIT_MS: number;
}
