import { jetstream, jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { ensureTopology, Topology } from "@parley/common";
import { ConversationEvent } from "@parley/proto/parley/events/v1/events";
import { randomUUID } from "node:crypto";
import { TEST_NATS_URL } from "../../../testkit/env.js";

/**
 * Writes inbox entries the way svc-delivery's fanout does, so edge tests do
 * not need svc-delivery: one ConversationEvent per entry, on the user's
 * inbox subject, from which the stream republishes it live.
 */
export class InboxWriter {
  private convSeq = 0;

  private constructor(
    readonly nc: NatsConnection,
    readonly jsm: JetStreamManager,
    readonly topology: Topology,
  ) {}

  static async connect(namespace: string): Promise<InboxWriter> {
    const nc = await connect({ servers: TEST_NATS_URL });
    const jsm = await jetstreamManager(nc);
    const topology = new Topology({
      namespace,
      partitions: 4,
      replicas: 1,
      sendDedupWindowMs: 60_000,
      inboxMaxAgeMs: 60 * 60_000,
    });
    await ensureTopology(jsm, topology);
    return new InboxWriter(nc, jsm, topology);
  }

  /** Stores one text entry in `userId`'s inbox; resolves with its inbox seq. */
  async write(userId: string, body: string, from = "sender"): Promise<number> {
    const ack = await jetstream(this.nc).publish(
      this.topology.inboxSubject(userId),
      ConversationEvent.encode(this.event(userId, body, from)).finish(),
    );
    return ack.seq;
  }

  /**
   * Stores `count` entries with bodies `${prefix}0`, `${prefix}1`, ...,
   * each padded with "x" to `length` characters; returns their seqs.
   */
  async writeMany(userId: string, count: number, prefix = "m", length = 0): Promise<number[]> {
    const js = jetstream(this.nc);
    const acks = Array.from({ length: count }, (_, i) =>
      js.publish(
        this.topology.inboxSubject(userId),
        ConversationEvent.encode(
          this.event(userId, `${prefix}${i}`.padEnd(length, "x"), "sender"),
        ).finish(),
      ),
    );
    return (await Promise.all(acks)).map((a) => a.seq);
  }

  /**
   * Stores one event as given (membership change, receipt, a text of a
   * chosen conversation and seq); resolves with its inbox seq.
   */
  async writeEvent(userId: string, event: Partial<ConversationEvent>): Promise<number> {
    const full: ConversationEvent = {
      messageId: randomUUID(),
      conversationId: "d_test",
      seq: 0,
      senderId: "sender",
      senderDeviceId: "dev",
      clientMessageId: `e${++this.convSeq}`,
      sentAtMs: Date.now(),
      memberIds: [],
      membershipVersion: 0,
      ...event,
    };
    const ack = await jetstream(this.nc).publish(
      this.topology.inboxSubject(userId),
      ConversationEvent.encode(full).finish(),
    );
    return ack.seq;
  }

  async close(): Promise<void> {
    await this.nc.close();
  }

  private event(userId: string, body: string, from: string): ConversationEvent {
    return {
      messageId: randomUUID(),
      conversationId: "d_test",
      seq: ++this.convSeq,
      senderId: from,
      senderDeviceId: "dev",
      clientMessageId: `c${this.convSeq}`,
      sentAtMs: Date.now(),
      memberIds: [from, userId],
      membershipVersion: 0,
      text: { body, media: undefined },
    };
  }
}
