import {
  AckPolicy,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
} from "@nats-io/jetstream";
import { nanos } from "@nats-io/transport-node";
import type { Topology } from "@parley/common";
import { InboxEntry } from "./inbox-entry.js";

/** How long an abandoned catch-up consumer outlives its last fetch. */
const CONSUMER_IDLE_MS = 60_000;
/** How long one fetch waits for entries the consumer said were pending. */
const FETCH_EXPIRES_MS = 5_000;

/**
 * Reads a user's inbox from JetStream: the cheap "anything newer?" check and
 * the backlog, through a short-lived consumer per catch-up pass. Long-lived
 * consumers per device were measured to cap delivery near 1.5k msgs/s.
 */
export class InboxReader {
  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly topology: Topology,
  ) {}

  /** The inbox sequence of the user's newest entry; 0 when there is none. */
  async lastSeq(userId: string): Promise<number> {
    const last = await this.jsm.streams.getMessage(this.topology.inboxStream, {
      last_by_subj: this.topology.inboxSubject(userId),
    });
    return last?.seq ?? 0;
  }

  /**
   * Yields the user's entries from `startSeq` on, in inbox order, in batches
   * of at most `batchSize`, until the consumer reports nothing pending. The
   * next batch is fetched only when the caller asks for it, so a slow socket
   * slows the read instead of filling memory. The consumer is deleted when
   * the iteration ends, however it ends.
   */
  async *entriesFrom(
    userId: string,
    startSeq: number,
    batchSize: number,
  ): AsyncGenerator<InboxEntry[]> {
    const stream = this.topology.inboxStream;
    // NATS 2.9 rejects filter_subjects (plural) and the v3 ordered consumer
    // with filters, so this is a plain ephemeral consumer with ack none.
    const info = await this.jsm.consumers.add(stream, {
      filter_subject: this.topology.inboxSubject(userId),
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: startSeq,
      ack_policy: AckPolicy.None,
      inactive_threshold: nanos(CONSUMER_IDLE_MS),
      mem_storage: true,
    });
    try {
      const consumer = await this.js.consumers.get(stream, info.name);
      let pending = info.num_pending;
      while (pending > 0) {
        const batch: InboxEntry[] = [];
        const max = Math.min(batchSize, pending);
        // Capped by count only: nats.js 3.4 refuses max_messages with
        // max_bytes, and a fetch by bytes alone cannot stop at `max`
        // without losing the rest (ack none). A batch of the largest bodies
        // is thus a few MiB, held per session while it drains.
        const msgs = await consumer.fetch({ max_messages: max, expires: FETCH_EXPIRES_MS });
        for await (const m of msgs) {
          batch.push(InboxEntry.decode(m.seq, m.data, m.headers));
          pending = m.info.pending;
          if (batch.length >= max) break;
        }
        // Pending entries vanished (expired or purged) while we read.
        if (batch.length === 0) return;
        yield batch;
      }
    } finally {
      await this.jsm.consumers.delete(stream, info.name).catch(() => false);
    }
  }
}
