import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { bool, makeValidator, str } from "envalid";
import {
  commonSettings,
  hostPort,
  INSECURE_DEV_TOKEN_SECRET,
  intIn,
  loadConfig,
  natsSettings,
} from "@parley/common";

/** Empty, or a folder holding index.html (a built web client); made absolute. */
const webDir = makeValidator<string>((input) => {
  if (input === "") return "";
  const dir = resolve(input);
  if (!existsSync(join(dir, "index.html"))) {
    throw new Error(`expected a folder with index.html (build the web client), got "${input}"`);
  }
  return dir;
});

export const edgeSpec = {
  ...commonSettings,
  ...natsSettings,
  EDGE_HTTP_ADDRESS: hostPort({
    default: "0.0.0.0:8080",
    desc: "Where the HTTP server listens: WebSockets on /ws, health on /healthz.",
  }),
  GRPC_ADDRESS: hostPort({
    default: "0.0.0.0:7100",
    desc: "Where the gRPC server (grpc.health.v1 only for now) listens.",
  }),
  PARLEY_TOKEN_SECRET: str({
    default: INSECURE_DEV_TOKEN_SECRET,
    desc: "HS256 secret that client tokens are signed with. The default is for local development only.",
  }),
  DELIVERY_ADDRESS: hostPort({
    default: "127.0.0.1:7101",
    desc: "svc-delivery's gRPC address (sends).",
  }),
  HISTORY_ADDRESS: hostPort({
    default: "127.0.0.1:7102",
    desc: "svc-history's gRPC address (history pages, groups, conversations and receipts).",
  }),
  PRESENCE_ADDRESS: hostPort({
    default: "127.0.0.1:7103",
    desc: "svc-presence's gRPC address (device connects and disconnects, presence of watched users).",
  }),
  MEDIA_ADDRESS: hostPort({
    default: "127.0.0.1:7104",
    desc: "svc-media's gRPC address (upload grants, completed uploads, download URLs).",
  }),
  EDGE_GRPC_DEADLINE_MS: intIn(1)({
    default: 5_000,
    desc: "Deadline of each call the edge makes to another service (ReportPresence has its own, EDGE_PRESENCE_REPORT_DEADLINE_MS).",
  }),
  EDGE_MAX_SENDS_IN_FLIGHT: intIn(1)({
    default: 1_000,
    desc: "Sends this edge process may have in progress at svc-delivery at once; past it a send waits its turn (EDGE_MAX_SENDS_WAITING) and its connection stops reading meanwhile. Keeps a burst of deadlines from resetting the shared HTTP/2 connection.",
  }),
  EDGE_MAX_SENDS_WAITING: intIn(0)({
    default: 10_000,
    desc: "Sends that may wait for one of the EDGE_MAX_SENDS_IN_FLIGHT slots, in arrival order; past it a send is refused as unavailable (retry). 0 refuses at once.",
  }),
  EDGE_HELLO_TIMEOUT_MS: intIn(1)({
    default: 10_000,
    desc: "How long a new socket may take to send its hello frame before it is closed (4408).",
  }),
  EDGE_HEARTBEAT_MS: intIn(100)({
    default: 25_000,
    desc: "Interval of server WebSocket pings; a peer that did not pong since the previous ping is dropped.",
  }),
  EDGE_MAX_FRAME_BYTES: intIn(1_024)({
    default: 64 * 1024,
    desc: "Largest client frame accepted; a bigger one closes the socket with 1009.",
  }),
  EDGE_MAX_BODY_BYTES: intIn(1)({
    default: 16 * 1024,
    desc: "Largest message body (UTF-8 bytes) a send may carry; keep it at most svc-delivery's MAX_BODY_BYTES.",
  }),
  EDGE_MAX_BUFFERED_BYTES: intIn(1_024)({
    default: 1024 * 1024,
    desc: "Bytes a socket may have queued for the client before it is closed as a slow consumer (4008).",
  }),
  EDGE_SENDS_PER_SECOND: intIn(1)({
    default: 20,
    desc: "Sustained rate of send and history requests, and of frames answered with an error, per connection (token bucket refill).",
  }),
  EDGE_SEND_BURST: intIn(1)({
    default: 40,
    desc: "Requests a connection may make at once before the rate applies (token bucket size).",
  }),
  EDGE_CATCHUP_BATCH: intIn(1)({
    default: 256,
    desc: "Inbox entries fetched per batch while a device catches up on its backlog.",
  }),
  EDGE_CATCHUP_CONCURRENCY: intIn(1)({
    default: 64,
    desc: "Catch-up passes (reads of a device's stored inbox) the process runs at once; the others wait. Bounds the load on NATS when every session re-reads after a reconnect.",
  }),
  EDGE_CURSOR_FLUSH_MS: intIn(10)({
    default: 1_000,
    desc: "How long a device's acked cursor waits before it is written to the KV bucket (acks meanwhile join the write); also written on disconnect.",
  }),
  EDGE_MAX_DEVICES: intIn(1)({
    default: 5,
    desc: "Devices a user may have linked at once; a hello from one more device is refused (4403) until one is unlinked.",
  }),
  EDGE_RECEIPT_FLUSH_MS: intIn(10)({
    default: 1_000,
    desc: "How long a delivered watermark gathered from device acks waits before it is sent to svc-history (RecordReceipts, one call for all that are due; acks meanwhile raise it), and what is pending goes once more on shutdown.",
  }),
  EDGE_MAX_FRAME_USER_IDS: intIn(1)({
    default: 1_024,
    desc: "Most user ids a create_group or add_members frame may list; keep it at least svc-history's HISTORY_GROUP_MAX_MEMBERS, which decides the group size.",
  }),
  EDGE_CLOSE_GRACE_MS: intIn(0)({
    default: 1_000,
    desc: "On shutdown, how long in-flight requests may finish before sockets are closed with 1001.",
  }),
  EDGE_PRESENCE_INTERVAL_MS: intIn(100)({
    default: 5_000,
    desc: "How often the edge reports its devices' connects and disconnects to svc-presence (one ReportPresence call, sent even when empty: it renews the edge's lease). Keep it well below svc-presence's PRESENCE_LEASE_TTL_MS.",
  }),
  EDGE_PRESENCE_REPORT_DEADLINE_MS: intIn(1)({
    default: 10_000,
    desc: "Deadline of each ReportPresence call (instead of EDGE_GRPC_DEADLINE_MS). Keep it well below svc-presence's PRESENCE_LEASE_TTL_MS: after a failed or timed-out report the edge starts over under a new edge id.",
  }),
  EDGE_PRESENCE_MAX_EVENTS_PER_CALL: intIn(1)({
    default: 10_000,
    desc: "Most device events one ReportPresence call carries; a longer report is split into several calls. Keep it at most svc-presence's cap.",
  }),
  EDGE_MAX_WATCHED_USERS: intIn(
    1,
    500,
  )({
    default: 500,
    desc: "Most users one watch_presence frame may list (svc-presence answers at most 500 per call).",
  }),
  EDGE_TYPING_PER_SECOND: intIn(1)({
    default: 2,
    desc: "typing frames a connection may send per second (also the burst); the excess is dropped without an answer.",
  }),
  EDGE_TYPING_TTL_MS: intIn(100)({
    default: 5_000,
    desc: "expires_in_ms of the typing frames members receive: how long a client shows the indicator unless it is refreshed.",
  }),
  EDGE_TYPING_MEMBER_CACHE_IDS: intIn(1)({
    default: 100_000,
    desc: "Member ids the typing member cache holds at most, summed over conversations (least recently used dropped first).",
  }),
  EDGE_TYPING_MEMBER_CACHE_TTL_MS: intIn(1_000)({
    default: 60_000,
    desc: "How long a cached member list is used for typing before it is read again; announcements of membership changes drop it earlier.",
  }),
  EDGE_WEB_DIR: webDir({
    default: "",
    desc: "Folder of the built web client (web/dist) to serve at / on the HTTP port; empty serves none. It must hold index.html.",
  }),
  EDGE_DEV_TOKENS: bool({
    default: false,
    desc: "Development only: POST /dev/token mints a token for any user and device (signed with PARLEY_TOKEN_SECRET). Off, the path answers 404.",
  }),
  EDGE_DEV_TOKEN_TTL_S: intIn(60)({
    default: 12 * 60 * 60,
    desc: "Lifetime in seconds of the tokens POST /dev/token mints.",
  }),
};

export type EdgeConfig = ReturnType<typeof loadEdgeConfig>;

/**
 * Reads and validates the edge's configuration; throws ConfigError naming
 * every bad key. Unknown PARLEY_* and EDGE_* variables go to `onUnknown`
 * (the logger does not exist yet: LOG_LEVEL is part of this config).
 */
export function loadEdgeConfig(
  env: NodeJS.ProcessEnv = process.env,
  onUnknown: (name: string) => void = () => {},
) {
  return loadConfig(edgeSpec, { env, warnPrefixes: ["EDGE_"], onUnknown });
}

/** True when the token secret is the insecure development default. */
export function usesDevSecret(config: EdgeConfig): boolean {
  return config.PARLEY_TOKEN_SECRET === INSECURE_DEV_TOKEN_SECRET;
}

/** Splits "host:port" into its parts. */
export function splitAddress(value: string): { host: string; port: number } {
  const at = value.lastIndexOf(":");
  return { host: value.slice(0, at), port: Number(value.slice(at + 1)) };
}
