import {
  jetstreamManager,
  type Consumer,
  type ConsumerMessages,
  type JetStreamClient,
  type JsMsg,
} from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Context } from "@opentelemetry/api";
import {
  ensureTopology,
  startMessageSpan,
  withTraceHeaders,
  type Logger,
  type StreamPublisher,
  type Topology,
} from "@parley/common";
import { ConversationEvent } from "@parley/proto/parley/events/v1/events";
import { setTimeout as sleep } from "node:timers/promises";
import pRetry from "p-retry";
import { recipientsOf } from "../domain/recipients.js";
import type { MembershipSnapshots } from "../membership/membership-snapshots.js";
import { fanoutEntries, fanoutWrites } from "../metrics.js";

export interface FanoutOptions {
  /** Log entries fanned out concurrently before the loop waits. */
  maxInFlight: number;
  /** Cap of the growing delay between retries of a failed inbox write. */
  retryMaxMs: number;
}

/**
 * Fans one partition of the conversation log out to the members' inboxes.
 *
 * Entries arrive in log order on one durable consumer. Entries of different
 * conversations are fanned out concurrently, their inbox writes pipelined on
 * one connection; entries of one conversation are written one after the
 * other, so a failed and retried write never lets a later message of that
 * conversation overtake it in an inbox. An entry is acked once all its
 * writes are; a crash before that makes JetStream redeliver it, and the
 * inbox's duplicate window (keyed by message and member) turns the repeated
 * writes into no-ops.
 *
 * Recipients are decided as entries are taken, in log order, against the
 * newest membership the log has shown (see recipientsOf), so one group's
 * messages and membership changes reach every member in the same order and
 * a change takes effect at its place in the log.
 *
 * Each partition must have exactly one live instance. Two at once (a rolling
 * deploy that starts the new instance before stopping the old) share the
 * consumer and can interleave a conversation's entries; a lease per
 * partition would remove that constraint and is not built yet.
 */
export class PartitionFanout {
  private readonly log: Logger;
  private stopping = false;
  private messages: ConsumerMessages | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  /** The last fan-out started per conversation: the next one waits for it. */
  private readonly tails = new Map<string, Promise<void>>();
  private loop: Promise<void> | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    /** Inbox writes: their acks on one subscription, many writes per socket write. */
    private readonly publisher: StreamPublisher,
    private readonly topology: Topology,
    readonly partition: number,
    private readonly options: FanoutOptions,
    /** Shared by the instance's partitions; a conversation is in one only. */
    private readonly snapshots: MembershipSnapshots,
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

  /** Stops taking entries and waits for the ones in flight to finish. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.messages?.close();
    await this.loop;
    await Promise.allSettled(this.inFlight);
  }

  /** Consumes until stopped; a lost consumer is recreated with backoff. */
  private async run(): Promise<void> {
    let backoffMs = 100;
    for (let attempt = 0; !this.stopping; attempt++) {
      try {
        if (attempt > 0) await ensureTopology(await jetstreamManager(this.nc), this.topology);
        const consumer = await this.js.consumers.get(
          this.topology.messagesStream,
          this.topology.fanoutConsumer(this.partition),
        );
        await this.waitForOrphans(consumer);
        const err = await this.consume(consumer, () => (backoffMs = 100));
        if (this.stopping) break;
        this.log.warn({ err }, "fanout consumption ended, resuming");
      } catch (err) {
        if (this.stopping) break;
        this.log.warn({ err, retry_in_ms: backoffMs }, "fanout consumer failed, retrying");
      }
      await sleep(backoffMs);
      backoffMs = Math.min(backoffMs * 2, 5_000);
    }
  }

  /**
   * Entries still pending on the consumer belong to an instance that died
   * without acking them. JetStream hands them out again once their ack wait
   * ends, ahead of newer entries; consuming before that would let newer
   * entries of the same conversations overtake them.
   */
  private async waitForOrphans(consumer: Consumer): Promise<void> {
    const info = await consumer.info();
    if (info.num_ack_pending === 0) return;
    const waitMs = Math.ceil((info.config.ack_wait ?? 0) / 1_000_000);
    this.log.info(
      { pending: info.num_ack_pending, wait_ms: waitMs },
      "waiting for orphaned entries",
    );
    await sleep(waitMs);
  }

  /** Consumes until the subscription ends; resolves with why it ended. */
  private async consume(consumer: Consumer, healthy: () => void): Promise<void | Error> {
    const messages = await consumer.consume({
      max_messages: this.options.maxInFlight,
      // End when the consumer or stream vanishes, so run() recreates them.
      abort_on_missing_resource: true,
    });
    this.messages = messages;
    if (this.stopping) await messages.close();
    for await (const m of messages) {
      healthy();
      const done = this.fanOut(m).finally(() => this.inFlight.delete(done));
      this.inFlight.add(done);
      if (this.inFlight.size >= this.options.maxInFlight) await Promise.race(this.inFlight);
    }
    return messages.closed();
  }

  /** Never rejects: a failure is logged and leaves the entry unacked. */
  private fanOut(m: JsMsg): Promise<void> {
    let event: ConversationEvent;
    try {
      event = ConversationEvent.decode(m.data);
    } catch (err) {
      // An entry that cannot be read would be redelivered forever and hold
      // up its partition; it is logged with its seq and dropped from fanout.
      this.log.error({ err, stream_seq: m.seq }, "undecodable log entry, terminated");
      m.term();
      return Promise.resolve();
    }
    event.seq = m.seq;
    // Decided now, not when the writes start: entries arrive in log order,
    // writes of one conversation wait for the previous entry's.
    const recipients = recipientsOf(event, this.snapshots.get(event.conversationId));
    this.snapshots.learn(event);
    // Inbox copies drop the member list: up to the group cap of ids that
    // the recipient has no use for, once per member.
    const payload = ConversationEvent.encode({ ...event, memberIds: [] }).finish();
    const conversation = event.conversationId;
    // A traced message gets a fanout span; its inbox entries carry it on.
    const traced = startMessageSpan("fanout", m.headers, {
      "messaging.destination.partition.id": String(this.partition),
      "parley.recipients": recipients.length,
    });
    const previous = this.tails.get(conversation) ?? Promise.resolve();
    const done = previous
      .then(() => this.writeAll(m, event.messageId, recipients, payload, traced?.context))
      .finally(() => traced?.span.end());
    this.tails.set(conversation, done);
    void done.finally(() => {
      if (this.tails.get(conversation) === done) this.tails.delete(conversation);
    });
    return done;
  }

  private async writeAll(
    m: JsMsg,
    messageId: string,
    recipients: string[],
    payload: Uint8Array,
    trace: Context | undefined,
  ): Promise<void> {
    try {
      await Promise.all(
        recipients.map((member) => this.writeInbox(m, member, messageId, payload, trace)),
      );
      m.ack();
      fanoutWrites.add(recipients.length);
      fanoutEntries.add(1);
    } catch (err) {
      // Only when stopping: the entry stays unacked and comes back later.
      this.log.info({ err, stream_seq: m.seq }, "fanout abandoned at stop");
    }
  }

  /**
   * One inbox write, retried in place with a growing delay for as long as it
   * takes (NATS away), keeping the entry's ack wait alive meanwhile. Keyed by
   * message id, not log seq: a send that reached the log twice (a NATS crash
   * between storing and acking it) still lands in each inbox once.
   */
  private async writeInbox(
    m: JsMsg,
    member: string,
    messageId: string,
    payload: Uint8Array,
    trace: Context | undefined,
  ): Promise<void> {
    const subject = this.topology.inboxSubject(member);
    const msgID = `${messageId}:${member}`;
    // Headers per write: publish adds the message id to them.
    const publish = () =>
      this.publisher.publish(subject, payload, {
        msgID,
        headers: trace && withTraceHeaders(undefined, trace),
      });
    await pRetry(publish, {
      retries: Infinity,
      minTimeout: 50,
      maxTimeout: this.options.retryMaxMs,
      shouldRetry: () => !this.stopping,
      onFailedAttempt: ({ error, attemptNumber }) => {
        m.working();
        const fields = { err: error, user_id: member, stream_seq: m.seq, attempt: attemptNumber };
        this.log.warn(fields, "inbox write failed, retrying");
      },
    });
  }
}
