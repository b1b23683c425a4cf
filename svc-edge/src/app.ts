import pLimit from "p-limit";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import {
  connectNats,
  ensureTopology,
  type GrpcServerHandle,
  type Logger,
  MembershipAnnouncements,
  MembershipCache,
  type Shutdown,
  startGrpcServer,
  topologyFromSettings,
  warnOnDrift,
} from "@parley/common";
import { authenticate } from "./auth/authenticate.js";
import { splitAddress, usesDevSecret, type EdgeConfig } from "./config.js";
import { CursorStore } from "./delivery/cursor-store.js";
import { DeliveryHub } from "./delivery/delivery-hub.js";
import { InboxReader } from "./delivery/inbox-reader.js";
import { LiveSubscriptions } from "./delivery/live-subscriptions.js";
import { DeviceLinker } from "./devices/device-linker.js";
import { LinkedDevices } from "./devices/linked-devices.js";
import { ConversationClient } from "./grpc/conversation-client.js";
import { DeliveryClient } from "./grpc/delivery-client.js";
import { SendSlots } from "./grpc/send-slots.js";
import { HistoryClient } from "./grpc/history-client.js";
import { MediaClient } from "./grpc/media-client.js";
import { PresenceClient } from "./grpc/presence-client.js";
import { RequestRouter } from "./handlers/router.js";
import { optionalRoutes } from "./http/routes.js";
import { PresenceReporter } from "./presence/presence-reporter.js";
import { PresenceSubscriptions } from "./presence/presence-subscriptions.js";
import { ReceiptBatcher } from "./receipts/receipt-batcher.js";
import { TypingNotifier } from "./typing/typing-notifier.js";
import { DeviceRegistry } from "./ws/device-registry.js";
import type { Connection } from "./ws/connection.js";
import { EdgeServer } from "./ws/server.js";

export interface EdgeApp {
  httpPort: number;
  grpcPort: number;
}

/**
 * Wires the edge: NATS and the data plane, the gRPC clients, the WebSocket
 * server and the gRPC (health) server. Each started part registers its stop
 * on `shutdown`, in the order they must stop.
 */
export async function startEdge(
  config: EdgeConfig,
  log: Logger,
  shutdown: Shutdown,
): Promise<EdgeApp> {
  if (usesDevSecret(config)) {
    log.warn("PARLEY_TOKEN_SECRET is not set: using the insecure development secret");
  }
  const routes = optionalRoutes(config, log.child({ component: "http" }));

  // Calls to the other services; delivered receipts go out in batches.
  const delivery = new DeliveryClient(
    config.DELIVERY_ADDRESS,
    config.EDGE_GRPC_DEADLINE_MS,
    new SendSlots(config.EDGE_MAX_SENDS_IN_FLIGHT, config.EDGE_MAX_SENDS_WAITING),
    log.child({ component: "delivery-client" }),
  );
  const history = new HistoryClient(config.HISTORY_ADDRESS, config.EDGE_GRPC_DEADLINE_MS);
  const conversations = new ConversationClient(
    config.HISTORY_ADDRESS,
    config.EDGE_GRPC_DEADLINE_MS,
  );
  const receipts = new ReceiptBatcher(
    conversations,
    config.EDGE_RECEIPT_FLUSH_MS,
    log.child({ component: "receipts" }),
  );
  receipts.start();
  const presence = new PresenceClient(
    config.PRESENCE_ADDRESS,
    config.EDGE_GRPC_DEADLINE_MS,
    config.EDGE_PRESENCE_REPORT_DEADLINE_MS,
  );

  const media = new MediaClient(config.MEDIA_ADDRESS, config.EDGE_GRPC_DEADLINE_MS);

  // Data plane: streams, cursor and device buckets, shared live subscriptions.
  const nc = await connectNats(config.NATS_URL, "svc-edge", log);
  const topology = topologyFromSettings(config);
  const jsm = await jetstreamManager(nc);
  await ensureTopology(jsm, topology, warnOnDrift(log));
  const kvm = new Kvm(nc);
  const bucket = { history: 1, replicas: config.PARLEY_STREAM_REPLICAS };
  const kv = await kvm.create(topology.cursorBucket, bucket);
  const devicesKv = await kvm.create(`${topology.ns}_devices`, bucket);
  const cursors = new CursorStore(
    kv,
    config.EDGE_CURSOR_FLUSH_MS,
    log.child({ component: "cursors" }),
  );
  cursors.start();
  const live = new LiveSubscriptions(nc, topology, log.child({ component: "live" }));
  const reader = new InboxReader(jetstream(nc), jsm, topology);
  const hub = new DeliveryHub(topology, live, reader, cursors, receipts, {
    catchUpBatch: config.EDGE_CATCHUP_BATCH,
    maxBuffered: 4 * config.EDGE_CATCHUP_BATCH,
    retryMinMs: 100,
    retryMaxMs: 5_000,
    catchUps: pLimit(config.EDGE_CATCHUP_CONCURRENCY),
  });
  // Presence: the registry's connects and disconnects, reported per
  // interval; a snapshot is read from the registry itself.
  const reporter: PresenceReporter = new PresenceReporter(
    presence,
    (): Iterable<string> => registry.keys(),
    {
      intervalMs: config.EDGE_PRESENCE_INTERVAL_MS,
      maxEventsPerCall: config.EDGE_PRESENCE_MAX_EVENTS_PER_CALL,
    },
    log.child({ component: "presence" }),
  );
  const registry: DeviceRegistry<Connection> = new DeviceRegistry<Connection>(reporter);
  reporter.start();
  log.info({ edge_id: reporter.edgeId }, "presence reporting started");
  const presenceSubscriptions = new PresenceSubscriptions(
    nc,
    topology,
    log.child({ component: "presence" }),
  );
  // Typing's member lists, kept current by svc-history's announcements.
  const members = new MembershipCache(
    {
      list: async (conversationId, readerId) => {
        const res = await conversations.listMembers({ readerId, conversationId });
        return { version: res.membershipVersion, memberIds: res.members.map((m) => m.userId) };
      },
    },
    {
      maxMemberIds: config.EDGE_TYPING_MEMBER_CACHE_IDS,
      ttlMs: config.EDGE_TYPING_MEMBER_CACHE_TTL_MS,
      notAMember: "not a member of this conversation",
    },
  );
  const membershipAnnouncements = new MembershipAnnouncements(
    nc,
    topology,
    members,
    log.child({ component: "typing" }),
  );
  await membershipAnnouncements.start();
  const typing = new TypingNotifier(nc, topology, members, config.EDGE_TYPING_TTL_MS);

  const devices = new DeviceLinker(
    {
      links: new LinkedDevices(devicesKv, config.EDGE_MAX_DEVICES),
      cursors,
      lastInboxSeq: (userId) => reader.lastSeq(userId),
      // The session registry uses the cursor key too (Connection.deviceKey).
      deviceKey: (userId, deviceId) => topology.cursorKey(userId, deviceId),
      sessions: registry,
    },
    log.child({ component: "devices" }),
  );
  const nats = { connected: true };
  void followNats(nc, hub, nats, log);

  // Client-facing servers.
  const server = new EdgeServer(
    {
      limits: {
        helloTimeoutMs: config.EDGE_HELLO_TIMEOUT_MS,
        heartbeatMs: config.EDGE_HEARTBEAT_MS,
        maxFrameBytes: config.EDGE_MAX_FRAME_BYTES,
        maxBodyBytes: config.EDGE_MAX_BODY_BYTES,
        maxUserIds: config.EDGE_MAX_FRAME_USER_IDS,
        maxBufferedBytes: config.EDGE_MAX_BUFFERED_BYTES,
        sendsPerSecond: config.EDGE_SENDS_PER_SECOND,
        sendBurst: config.EDGE_SEND_BURST,
        maxWatchedUsers: config.EDGE_MAX_WATCHED_USERS,
        typingPerSecond: config.EDGE_TYPING_PER_SECOND,
      },
      authenticate: (token) => authenticate(token, config.PARLEY_TOKEN_SECRET),
      registry,
      devices,
      delivery: hub,
      requests: new RequestRouter({
        delivery,
        history,
        conversations,
        receipts,
        devices,
        presence,
        presenceSubscriptions,
        typing,
        media,
      }),
    },
    log.child({ component: "ws" }),
    () => (nats.connected ? undefined : "nats_disconnected"),
    routes,
  );
  const http = splitAddress(config.EDGE_HTTP_ADDRESS);
  const httpPort = await server.listen(http.host, http.port);
  const grpc: GrpcServerHandle = await startGrpcServer(config.GRPC_ADDRESS, [], log);

  // Stop order: no new sockets, let requests finish, close sockets, then
  // write cursors, the receipts their acks gave and the presence goodbye
  // (through the gRPC clients, so before they close), then the servers and
  // clients, NATS last.
  shutdown.add("stop accepting", async () => server.stopAccepting());
  shutdown.add("close sockets", async () => {
    await new Promise((resolve) => setTimeout(resolve, config.EDGE_CLOSE_GRACE_MS));
    server.closeAll();
  });
  shutdown.add("flush cursors", () => cursors.stop());
  shutdown.add("flush receipts", () => receipts.stop());
  shutdown.add("presence goodbye", () => reporter.stop());
  shutdown.add("stop grpc", () => grpc.stop(2_000));
  shutdown.add("close grpc clients", async () => {
    delivery.close();
    history.close();
    conversations.close();
    presence.close();
    media.close();
  });
  shutdown.add("stop membership announcements", async () => membershipAnnouncements.stop());
  shutdown.add("drain nats", () => nc.drain());
  return { httpPort, grpcPort: grpc.port };
}

/**
 * Follows the NATS connection: `state.connected` feeds /healthz, and after
 * a reconnect every session re-reads its inbox, since live entries may have
 * been lost meanwhile.
 */
async function followNats(
  nc: NatsConnection,
  hub: DeliveryHub,
  state: { connected: boolean },
  log: Logger,
) {
  for await (const status of nc.status()) {
    if (status.type === "disconnect") state.connected = false;
    if (status.type !== "reconnect") continue;
    state.connected = true;
    log.info({ sessions: hub.sessionCount }, "nats reconnected, resyncing sessions");
    hub.resyncAll();
  }
}
