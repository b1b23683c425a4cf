import {
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type JetStreamManager,
} from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { callUnary, createClient, groupConversationId, Topology } from "@parley/common";
import {
  DeliveryServiceClient,
  type SendMessageRequest,
  type SendMessageResponse,
} from "@parley/proto/parley/delivery/v1/delivery";
import { ConversationEvent, MembershipChange_Action } from "@parley/proto/parley/events/v1/events";
import { randomUUID } from "node:crypto";
import { dropNatsNamespace } from "../../../testkit/cleanup.js";
import { baseEnv, TEST_NATS_URL, uniqueNamespace } from "../../../testkit/env.js";
import { eventually } from "../../../testkit/eventually.js";
import { startService, type RunningService } from "../../../testkit/service.js";
import { FakeHistory } from "./fake-history.js";

/**
 * svc-delivery as its own process in a namespace of its own, with a fake
 * svc-history (FakeHistory) behind it. Membership changes are made the way
 * history makes them: the event into the log, then the table, then the
 * announcement on the membership subject.
 */
export class GroupDeployment {
  private constructor(
    readonly ns: string,
    readonly topology: Topology,
    readonly history: FakeHistory,
    readonly service: RunningService,
    readonly client: DeliveryServiceClient,
    readonly nc: NatsConnection,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
  ) {}

  static async start(env: Record<string, string> = {}): Promise<GroupDeployment> {
    const ns = uniqueNamespace();
    const history = await FakeHistory.start();
    const service = await startService("delivery", {
      ...baseEnv(ns),
      GRPC_ADDRESS: "127.0.0.1:0",
      HISTORY_ADDRESS: history.address,
      ...env,
    });
    const client = createClient(DeliveryServiceClient, `127.0.0.1:${service.ready.grpc_port}`);
    const nc = await connect({ servers: TEST_NATS_URL });
    const topology = new Topology({
      namespace: ns,
      partitions: 4,
      replicas: 1,
      sendDedupWindowMs: 60_000,
      inboxMaxAgeMs: 60_000,
    });
    const jsm = await jetstreamManager(nc);
    return new GroupDeployment(ns, topology, history, service, client, nc, jetstream(nc), jsm);
  }

  async stop(): Promise<void> {
    this.client.close();
    await this.service.stop();
    await this.history.stop();
    await this.nc.close();
    await dropNatsNamespace(this.ns);
  }

  send(request: Partial<SendMessageRequest>): Promise<SendMessageResponse> {
    return callUnary<SendMessageRequest, SendMessageResponse>(
      this.client,
      this.client.sendMessage,
      {
        senderId: "alice",
        senderDeviceId: "phone",
        clientMessageId: `c${randomUUID()}`,
        recipientId: "",
        conversationId: "",
        mediaId: "",
        body: "hello",
        retry: false,
        ...request,
      },
      5_000,
    );
  }

  /** A new group (its CREATED event in the log, version 1); returns its id. */
  async createGroup(creator: string, others: string[]): Promise<string> {
    const conversationId = groupConversationId(creator, randomUUID().slice(0, 8));
    const members = [creator, ...others];
    await this.change(conversationId, creator, MembershipChange_Action.ACTION_CREATED, members, {
      after: members,
    });
    return conversationId;
  }

  /**
   * A membership change as history makes it; `announce: false` leaves out
   * the announcement, as when it is still in transit, so delivery's cache
   * keeps the older list. Returns the event's seq.
   */
  async change(
    conversationId: string,
    actorId: string,
    action: MembershipChange_Action,
    userIds: string[],
    options: { after: string[]; announce?: boolean },
  ): Promise<number> {
    const version = (this.history.groups.get(conversationId)?.version ?? 0) + 1;
    const messageId = randomUUID();
    const seq = await this.appendToLog({
      messageId,
      conversationId,
      senderId: actorId,
      senderDeviceId: "server",
      clientMessageId: messageId,
      sentAtMs: Date.now(),
      memberIds: options.after,
      membershipVersion: version,
      membership: { action, actorId, userIds, title: "" },
    });
    this.history.groups.set(conversationId, { version, memberIds: options.after });
    if (options.announce ?? true) {
      this.nc.publish(this.topology.membershipChangedSubject(conversationId));
      await this.nc.flush();
    }
    return seq;
  }

  /** Appends an event to the log directly, as a service other than delivery would. */
  async appendToLog(event: Partial<ConversationEvent>): Promise<number> {
    const full = ConversationEvent.fromPartial({ messageId: randomUUID(), ...event });
    const ack = await this.js.publish(
      this.topology.messageSubject(full.conversationId),
      ConversationEvent.encode(full).finish(),
      { msgID: full.messageId },
    );
    return ack.seq;
  }

  /** A log entry (the log keeps them: no history consumer runs here). */
  async logEntry(seq: number): Promise<ConversationEvent> {
    const m = await this.jsm.streams.getMessage(this.topology.messagesStream, { seq });
    return ConversationEvent.decode(m!.data);
  }

  /** Waits until fanout has finished (acked) every log entry up to `seq`. */
  async fannedOut(conversationId: string, seq: number): Promise<void> {
    const consumer = this.topology.fanoutConsumer(this.topology.partitionOf(conversationId));
    await eventually(
      async () =>
        (await this.jsm.consumers.info(this.topology.messagesStream, consumer)).ack_floor
          .stream_seq >= seq,
      10_000,
      `fanout of log entry ${seq}`,
      20,
    );
  }

  async inboxCount(user: string): Promise<number> {
    const subject = this.topology.inboxSubject(user);
    const info = await this.jsm.streams.info(this.topology.inboxStream, {
      subjects_filter: subject,
    });
    return info.state.subjects?.[subject] ?? 0;
  }

  /** Every entry of a user's inbox, in inbox order. */
  async inbox(user: string): Promise<ConversationEvent[]> {
    const count = await this.inboxCount(user);
    if (count === 0) return [];
    const consumer = await this.js.consumers.get(this.topology.inboxStream, {
      // A string, not a list: NATS 2.9 knows only the single filter.
      filter_subjects: this.topology.inboxSubject(user),
    });
    const events: ConversationEvent[] = [];
    const messages = await consumer.fetch({ max_messages: count, expires: 5_000 });
    for await (const m of messages) {
      events.push(ConversationEvent.decode(m.data));
      if (events.length === count) break;
    }
    return events;
  }

  /** Waits until a user's inbox holds at least `count` entries; returns them. */
  async waitForInbox(user: string, count: number): Promise<ConversationEvent[]> {
    let seen = 0;
    await eventually(
      async () => (seen = await this.inboxCount(user)) >= count,
      10_000,
      () => `${count} entries in the inbox of ${user} (${seen} so far)`,
      20,
    );
    return this.inbox(user);
  }
}
