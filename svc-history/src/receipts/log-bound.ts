import type { JetStreamManager } from "@nats-io/jetstream";
import type { Topology } from "@parley/common";

/**
 * The seq of a conversation's last log entry. Postgres may lag the log by
 * a batch (fanout can deliver an event before history stored it), and the
 * log forgets an entry once fanout and history acked it (interest
 * retention), so the bound is the larger of what each still knows.
 *
 * The stream's last entry on the subject may be a receipt, which is never
 * stored: a watermark may then name that receipt's seq, a few seqs beyond
 * the last message. It stays within what exists in the log.
 */
export class LogBound {
  constructor(
    private readonly jsm: JetStreamManager,
    private readonly topology: Topology,
  ) {}

  async lastSeq(conversationId: string, lastStoredSeq: number): Promise<number> {
    const last = await this.jsm.streams.getMessage(this.topology.messagesStream, {
      last_by_subj: this.topology.messageSubject(conversationId),
    });
    return Math.max(lastStoredSeq, last?.seq ?? 0);
  }
}
