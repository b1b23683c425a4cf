import type { Consumer, JetStreamClient, JsMsg } from "@nats-io/jetstream";
import type { Logger, Topology } from "@parley/common";
import { ConversationEvent } from "@parley/proto/parley/events/v1/events";
import { setTimeout as sleep } from "node:timers/promises";
import pRetry from "p-retry";

export interface FanoutOptions {
  /** Log entries fanned out concurrently before the loop waits. */
  maxInFlight: number;
  /** Cap of the growing delay between retries of a failed inbox write. */
  retryMaxMs: number;
}

/**
 * Fans one partition of the conversation log out to the members' inboxes.
 *
 * Entries arrive in log order on one durable consumer. For each, one inbox
 * write per member is published without waiting, so writes for many entries
 * are pipelined on one connection and land in each inbox in log order. An
 * entry is acked once all its writes are acked; a crash before that makes
 * JetStream redeliver it, and the inbox's duplicate window (keyed by
 * message and member) turns the repeated writes into no-ops.
 */
export class PartitionFanout {
  private readonly log: Logger;
  private stopping = false;
  private messages: { stop(): void } | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private loop: Promise<void> | undefined;

  constructor(
    private readonly js: JetStreamClient,
    private readonly topology: Topology,
    readonly partition: number,
    private readonly options: FanoutOptions,
    parentLog: Logger,
  ) {
    this.log = parentLog.child({
      component: "fanout",
      consumer: topology.fanoutConsumer(partition),
    });
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops taking entries and waits for the ones in flight to be acked. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.messages?.stop();
    await this.loop;
    await Promise.allSettled(this.inFlight);
  }

  /** Consumes until stopped; a lost consumer is picked up again with backoff. */
  private async run(): Promise<void> {
    let backoffMs = 100;
    while (!this.stopping) {
      try {
        const consumer = await this.js.consumers.get(
          this.topology.messagesStream,
          this.topology.fanoutConsumer(this.partition),
        );
        await this.consume(consumer, () => (backoffMs = 100));
      } catch (err) {
        if (this.stopping) break;
        this.log.warn({ err, retry_in_ms: backoffMs }, "fanout consumer failed, retrying");
        await sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, 5_000);
      }
    }
  }

  private async consume(consumer: Consumer, healthy: () => void): Promise<void> {
    const messages = await consumer.consume({ max_messages: this.options.maxInFlight });
    this.messages = messages;
    if (this.stopping) messages.stop();
    for await (const m of messages) {
      healthy();
      const done = this.fanOut(m).finally(() => this.inFlight.delete(done));
      this.inFlight.add(done);
      if (this.inFlight.size >= this.options.maxInFlight) await Promise.race(this.inFlight);
    }
  }

  private async fanOut(m: JsMsg): Promise<void> {
    let event: ConversationEvent;
    try {
      event = ConversationEvent.decode(m.data);
    } catch (err) {
      // An entry that cannot be read would be redelivered forever and hold
      // up its partition; it is logged with its seq and dropped from fanout.
      this.log.error({ err, stream_seq: m.seq }, "undecodable log entry, terminated");
      m.term();
      return;
    }
    event.seq = m.seq;
    const payload = ConversationEvent.encode(event).finish();
    const writes = event.memberIds.map((member) => this.writeInbox(member, event, payload));
    const results = await Promise.allSettled(writes);
    if (results.every((r) => r.status === "fulfilled")) {
      m.ack();
    } else {
      // Writes that did land are deduplicated when the entry comes back.
      m.nak(this.options.retryMaxMs);
    }
  }

  /**
   * One inbox write, retried with a growing delay while NATS is away. Keyed
   * by message id, not log seq: a send that reached the log twice (a NATS
   * crash between storing and acking it) still lands in each inbox once.
   */
  private async writeInbox(
    member: string,
    event: ConversationEvent,
    payload: Uint8Array,
  ): Promise<void> {
    const subject = this.topology.inboxSubject(member);
    const msgID = `${event.messageId}:${member}`;
    const logSeq = event.seq;
    await pRetry(() => this.js.publish(subject, payload, { msgID }), {
      retries: 8,
      minTimeout: 50,
      maxTimeout: this.options.retryMaxMs,
      shouldRetry: () => !this.stopping,
      onFailedAttempt: ({ error, attemptNumber }) => {
        const fields = { err: error, user_id: member, stream_seq: logSeq, attempt: attemptNumber };
        this.log.warn(fields, "inbox write failed");
      },
    });
  }
}
