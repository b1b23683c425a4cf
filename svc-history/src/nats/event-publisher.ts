import type { NatsConnection } from "@nats-io/transport-node";
import { ParleyError, type StreamPublisher, type Topology } from "@parley/common";
import { ConversationEvent } from "@parley/proto/parley/events/v1/events";

/**
 * Appends svc-history's own events (membership changes, receipts) to the
 * conversation log, and announces membership changes to the caches of them.
 */
export class EventPublisher {
  constructor(
    private readonly nc: NatsConnection,
    /** Times out after HISTORY_PUBLISH_TIMEOUT_MS. */
    private readonly appends: StreamPublisher,
    private readonly topology: Topology,
  ) {}

  /**
   * Appends an event and returns its seq once JetStream stored it. The
   * event id is the JetStream message id, so a repeat within the stream's
   * duplicate window answers with the first copy's seq.
   */
  async append(event: ConversationEvent): Promise<number> {
    const subject = this.topology.messageSubject(event.conversationId);
    try {
      const ack = await this.appends.publish(subject, ConversationEvent.encode(event).finish(), {
        msgID: event.messageId,
      });
      return ack.seq;
    } catch (err) {
      throw ParleyError.unavailable("the conversation log is unavailable; retry", err);
    }
  }

  /**
   * Tells svc-delivery's membership caches that a group changed (a core
   * message: a cache that misses it is dropped on reconnect anyway). Flushed
   * so that the announcement has left before the RPC answers.
   */
  async announceMembershipChange(conversationId: string): Promise<void> {
    this.nc.publish(this.topology.membershipChangedSubject(conversationId));
    await this.nc.flush();
  }
}
