import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import {
  ConsumerGauges,
  connectNats,
  createClient,
  ensureTopology,
  type Logger,
  MembershipAnnouncements,
  MembershipCache,
  type Shutdown,
  StreamPublisher,
  startGrpcServer,
  topologyFromSettings,
  warnOnDrift,
} from "@parley/common";
import { ConversationServiceClient } from "@parley/proto/parley/history/v1/conversations";
import { HistoryServiceClient } from "@parley/proto/parley/history/v1/history";
import { MediaServiceClient } from "@parley/proto/parley/media/v1/media";
import { fanoutPartitions, type DeliveryConfig } from "./config.js";
import { deliveryService } from "./grpc/delivery-service.js";
import { GroupMembers } from "./history/group-members.js";
import { StoredSends } from "./history/stored-sends.js";
import { MediaAttachments } from "./media/media-attachments.js";
import { MembershipSnapshots } from "./membership/membership-snapshots.js";
import { ConversationLog } from "./nats/conversation-log.js";
import { PartitionFanout } from "./nats/fanout.js";

/** An inbox write not acked in this time is retried (fanout retries for as long as it takes). */
const INBOX_WRITE_TIMEOUT_MS = 5_000;

/**
 * Wires svc-delivery: the send API in front of the conversation log, and the
 * fanout of this instance's partitions behind it.
 */
export async function startDelivery(config: DeliveryConfig, log: Logger, shutdown: Shutdown) {
  const topology = topologyFromSettings(config);
  const nc = await connectNats(config.NATS_URL, "svc-delivery", log);
  const jsm = await jetstreamManager(nc);
  // The log's durable consumers must exist before the first send is
  // accepted: an interest-retention stream keeps nothing nobody consumes.
  await ensureTopology(jsm, topology, warnOnDrift(log));
  const js = jetstream(nc);

  const snapshots = new MembershipSnapshots(config.FANOUT_MEMBERSHIP_SNAPSHOTS);
  const inboxWrites = new StreamPublisher(nc, INBOX_WRITE_TIMEOUT_MS);
  const fanouts = fanoutPartitions(config.FANOUT_PARTITIONS, config.PARLEY_PARTITIONS).map(
    (partition) =>
      new PartitionFanout(
        nc,
        js,
        inboxWrites,
        topology,
        partition,
        {
          maxInFlight: config.FANOUT_MAX_IN_FLIGHT,
          retryMaxMs: config.FANOUT_RETRY_MAX_MS,
        },
        snapshots,
        log,
      ),
  );
  fanouts.forEach((f) => f.start());
  // The backlog of this instance's partitions, for dashboards and alerts.
  const gauges = new ConsumerGauges();
  for (const { partition } of fanouts) {
    const consumer = topology.fanoutConsumer(partition);
    gauges.track(consumer, () => jsm.consumers.info(topology.messagesStream, consumer));
  }

  const logAppends = new StreamPublisher(nc, config.PUBLISH_TIMEOUT_MS);
  const conversationLog = new ConversationLog(logAppends, jsm, topology);
  const history = createClient(HistoryServiceClient, config.HISTORY_ADDRESS);
  const storedSends = new StoredSends(history, config.HISTORY_LOOKUP_TIMEOUT_MS, log);
  const conversations = createClient(ConversationServiceClient, config.HISTORY_ADDRESS);
  const memberships = new MembershipCache(
    new GroupMembers(conversations, config.MEMBERSHIP_LOOKUP_TIMEOUT_MS),
    {
      maxMemberIds: config.MEMBERSHIP_CACHE_SIZE,
      ttlMs: config.MEMBERSHIP_CACHE_TTL_MS,
      notAMember: "not a member of this group",
    },
  );
  // Listening before serving: a change committed after the first send
  // was accepted must not go unheard.
  const membershipChanges = new MembershipAnnouncements(nc, topology, memberships, log);
  await membershipChanges.start();
  const mediaClient = createClient(MediaServiceClient, config.MEDIA_ADDRESS);
  const media = new MediaAttachments(mediaClient, config.MEDIA_ATTACH_TIMEOUT_MS);
  const grpc = await startGrpcServer(
    config.GRPC_ADDRESS,
    [deliveryService(conversationLog, storedSends, memberships, media, config.MAX_BODY_BYTES, log)],
    log,
  );
  shutdown.add("stop grpc", () => grpc.stop(config.SHUTDOWN_DEADLINE_MS / 2));
  shutdown.add("stop fanout", async () => {
    await Promise.all(fanouts.map((f) => f.stop()));
  });
  shutdown.add("stop membership changes", async () => membershipChanges.stop());
  shutdown.add("close publishers", async () => {
    logAppends.close();
    inboxWrites.close();
  });
  shutdown.add("drain nats", () => nc.drain());
  shutdown.add("close history and media clients", async () => {
    history.close();
    conversations.close();
    mediaClient.close();
  });
  return { grpc_port: grpc.port, partitions: fanouts.map((f) => f.partition) };
}
