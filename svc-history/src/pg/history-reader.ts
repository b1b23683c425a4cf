import type pg from "pg";
import type { ConversationEvent } from "@parley/proto/parley/events/v1/events";

/** Where a page starts; see GetHistory in history.proto. */
export type PageCursor =
  { kind: "newest" } | { kind: "before"; seq: number } | { kind: "after"; seq: number };

export interface Page {
  /** Ordered by seq ascending. */
  messages: ConversationEvent[];
  /** Whether more messages lie beyond the page in the direction walked. */
  hasMore: boolean;
}

interface MessageRow {
  conversation_id: string;
  seq: string;
  message_id: string;
  sender_id: string;
  sender_device_id: string;
  client_message_id: string;
  sent_at: Date;
  body: string | null;
}

const COLUMNS = `conversation_id, seq, message_id, sender_id, sender_device_id,
  client_message_id, sent_at, body`;

// Keyset queries on the primary key (conversation_id, seq): each names the
// distribution column, so under Citus it routes to one shard.
const QUERIES: Record<PageCursor["kind"], string> = {
  newest: `SELECT ${COLUMNS} FROM messages WHERE conversation_id = $1
    ORDER BY seq DESC LIMIT $2`,
  before: `SELECT ${COLUMNS} FROM messages WHERE conversation_id = $1 AND seq < $3
    ORDER BY seq DESC LIMIT $2`,
  after: `SELECT ${COLUMNS} FROM messages WHERE conversation_id = $1 AND seq > $3
    ORDER BY seq ASC LIMIT $2`,
};

/** Reads stored conversations. */
export class HistoryReader {
  constructor(private readonly pool: pg.Pool) {}

  /** Whether the user is a member; false for an unknown conversation too. */
  async isMember(conversationId: string, userId: string): Promise<boolean> {
    const result = await this.pool.query(
      "SELECT 1 FROM conversation_members WHERE conversation_id = $1 AND user_id = $2",
      [conversationId, userId],
    );
    return result.rowCount !== 0;
  }

  /** Where a message is stored, by id; null when it is not (yet). */
  async lookup(
    conversationId: string,
    messageId: string,
  ): Promise<{ seq: number; sentAtMs: number } | null> {
    // Served by the unique (conversation_id, message_id) index, one shard.
    const { rows } = await this.pool.query<{ seq: string; sent_at: Date }>(
      "SELECT seq, sent_at FROM messages WHERE conversation_id = $1 AND message_id = $2",
      [conversationId, messageId],
    );
    const row = rows[0];
    return row ? { seq: Number(row.seq), sentAtMs: row.sent_at.getTime() } : null;
  }

  /** One page of at most `limit` messages from the cursor on. */
  async page(conversationId: string, cursor: PageCursor, limit: number): Promise<Page> {
    const params: unknown[] = [conversationId, limit + 1];
    if (cursor.kind !== "newest") params.push(cursor.seq);
    const { rows } = await this.pool.query<MessageRow>(QUERIES[cursor.kind], params);
    // One row beyond the limit tells whether another page exists.
    const hasMore = rows.length > limit;
    const page = rows.slice(0, limit);
    if (cursor.kind !== "after") page.reverse();
    return { messages: page.map(toEvent), hasMore };
  }
}

function toEvent(row: MessageRow): ConversationEvent {
  return {
    messageId: row.message_id,
    conversationId: row.conversation_id,
    seq: Number(row.seq),
    senderId: row.sender_id,
    senderDeviceId: row.sender_device_id,
    clientMessageId: row.client_message_id,
    sentAtMs: row.sent_at.getTime(),
    memberIds: [],
    membershipVersion: 0,
    text: row.body === null ? undefined : { body: row.body },
  };
}
