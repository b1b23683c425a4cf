import type { JetStreamManager } from "@nats-io/jetstream";
import type { Topology } from "@parley/common";
import { ConversationEvent } from "@parley/proto/parley/events/v1/events";

/** A conversation's newest entry still in the log. */
export interface LastLogEntry {
  seq: number;
  /** The members the entry was stamped with; empty if it cannot be decoded. */
  memberIds: string[];
}

/**
 * What the conversation log knows that Postgres may not yet. Postgres lags
 * the log by a batch (fanout can deliver an event before history stored
 * it), and the log forgets an entry once fanout and history acked it
 * (interest retention), so between the two nothing is missed.
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

  /** The conversation's newest entry in the log, or null when none is left. */
  async lastEntry(conversationId: string): Promise<LastLogEntry | null> {
    const last = await this.jsm.streams.getMessage(this.topology.messagesStream, {
      last_by_subj: this.topology.messageSubject(conversationId),
    });
    if (!last) return null;
    let memberIds: string[] = [];
    try {
      memberIds = ConversationEvent.decode(last.data).memberIds;
    } catch {
      // An undecodable entry still bounds the seq; it names no members.
    }
    return { seq: last.seq, memberIds };
  }

  /** The larger of the stored and the logged last seq. */
  async lastSeq(conversationId: string, lastStoredSeq: number): Promise<number> {
    const last = await this.lastEntry(conversationId);
    return Math.max(lastStoredSeq, last?.seq ?? 0);
  }
}
