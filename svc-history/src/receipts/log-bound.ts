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
    return last ? entryOf(last.seq, last.data) : null;
  }

  /**
   * The entry at `seq` when it is still in the log and belongs to the
   * conversation, else null. Asked first, by seq: on NATS 2.9 a lookup of
   * the subject's last entry answers "none" (checked on 2.9.10) while earlier entries
   * of the subject were still in the log, after the last one (a receipt,
   * which history acks at once) had left it.
   */
  async entryAt(conversationId: string, seq: number): Promise<LastLogEntry | null> {
    const found = await this.jsm.streams.getMessage(this.topology.messagesStream, { seq });
    if (!found || found.subject !== this.topology.messageSubject(conversationId)) return null;
    return entryOf(found.seq, found.data);
  }

  /** Whether the log still holds `seq` of the conversation, or a later entry of it. */
  async reaches(conversationId: string, seq: number): Promise<boolean> {
    if (await this.entryAt(conversationId, seq)) return true;
    return ((await this.lastEntry(conversationId))?.seq ?? 0) >= seq;
  }
}

function entryOf(seq: number, data: Uint8Array): LastLogEntry {
  let memberIds: string[] = [];
  try {
    memberIds = ConversationEvent.decode(data).memberIds;
  } catch {
    // An undecodable entry still bounds the seq; it names no members.
  }
  return { seq, memberIds };
}
