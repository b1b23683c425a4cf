import type { JetStreamManager } from "@nats-io/jetstream";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import {
  parleyTracer,
  ParleyError,
  withTraceHeaders,
  type StreamPublisher,
  type Topology,
} from "@parley/common";
import { ConversationEvent, type MediaAttachment } from "@parley/proto/parley/events/v1/events";
import type { Membership } from "../domain/membership.js";
import type { ValidSend } from "../domain/send.js";

/** Where an appended send landed in the log. */
export interface Appended {
  seq: number;
  sentAtMs: number;
  duplicate: boolean;
}

/**
 * The MESSAGES stream seen as the conversations' log. Appending is the
 * durability point of a send: once JetStream acks, the send is kept.
 */
export class ConversationLog {
  constructor(
    /** Times out after the send path's publish timeout (PUBLISH_TIMEOUT_MS). */
    private readonly publisher: StreamPublisher,
    private readonly jsm: JetStreamManager,
    private readonly topology: Topology,
  ) {}

  /**
   * Appends a send, deduplicated by its idempotency key: JetStream answers a
   * repeat within the stream's duplicate window with the first entry's seq.
   * The entry is stamped with the membership the send was checked against;
   * fanout trusts it unless the log shows a newer one by then. `media` is
   * what svc-media answered for the send's media id.
   */
  async append(
    send: ValidSend,
    membership: Membership,
    media?: MediaAttachment,
    nowMs = Date.now(),
  ): Promise<Appended> {
    const event = ConversationEvent.fromPartial({
      messageId: send.messageId,
      conversationId: send.conversationId,
      senderId: send.senderId,
      senderDeviceId: send.senderDeviceId,
      clientMessageId: send.clientMessageId,
      sentAtMs: nowMs,
      memberIds: membership.memberIds,
      membershipVersion: membership.version,
      text: { body: send.body, media },
    });
    const subject = this.topology.messageSubject(send.conversationId);
    const ack = await parleyTracer().startActiveSpan(
      `publish ${this.topology.messagesStream}`,
      { kind: SpanKind.PRODUCER, attributes: { "messaging.system": "nats" } },
      async (span) => {
        try {
          return await this.publisher.publish(subject, ConversationEvent.encode(event).finish(), {
            msgID: send.idempotencyKey,
            // The trace goes on with the entry: fanout and history join it.
            headers: withTraceHeaders(),
          });
        } catch (err) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: String(err) });
          throw ParleyError.unavailable("the message log is unavailable; retry the send", err);
        } finally {
          span.end();
        }
      },
    );
    if (!ack.duplicate) return { seq: ack.seq, sentAtMs: nowMs, duplicate: false };
    return { seq: ack.seq, sentAtMs: await this.sentAtOf(ack.seq), duplicate: true };
  }

  /**
   * The accept time of an earlier entry, or 0 once it has left the log
   * (interest retention removes it as soon as fanout and history acked it).
   */
  private async sentAtOf(seq: number): Promise<number> {
    const stored = await this.jsm.streams
      .getMessage(this.topology.messagesStream, { seq })
      .catch(() => null);
    return stored ? ConversationEvent.decode(stored.data).sentAtMs : 0;
  }
}
