import type pg from "pg";
import type { ConversationEvent } from "@parley/proto/parley/events/v1/events";
import { EVENT_COLUMNS, eventOfRow, type EventRow } from "./event-row.js";

/** Where a page starts; see GetHistory in history.proto. */
export type PageCursor =
  { kind: "newest" } | { kind: "before"; seq: number } | { kind: "after"; seq: number };

export interface Page {
  /** Ordered by seq ascending. */
  messages: ConversationEvent[];
  /** Whether more messages lie beyond the page in the direction walked. */
  hasMore: boolean;
}

// Keyset queries on the primary key (conversation_id, seq): each names the
// distribution column, so under Citus it routes to one shard. $3 is the
// reader's first readable seq (1 for a 1:1 conversation).
const QUERIES: Record<PageCursor["kind"], string> = {
  newest: `SELECT ${EVENT_COLUMNS} FROM messages WHERE conversation_id = $1 AND seq >= $3
    ORDER BY seq DESC LIMIT $2`,
  before: `SELECT ${EVENT_COLUMNS} FROM messages WHERE conversation_id = $1 AND seq >= $3
    AND seq < $4 ORDER BY seq DESC LIMIT $2`,
  after: `SELECT ${EVENT_COLUMNS} FROM messages WHERE conversation_id = $1 AND seq >= $3
    AND seq > $4 ORDER BY seq ASC LIMIT $2`,
};

/** Reads stored conversations. */
export class HistoryReader {
  constructor(private readonly pool: pg.Pool) {}

  /**
   * The first seq the user may read: 1 in a 1:1 conversation (its members
   * read it all), the seq of the event that made them a member in a group
   * (what was said before stays hidden). Null for a non-member and for an
   * unknown conversation alike.
   */
  async readableFrom(conversationId: string, userId: string): Promise<number | null> {
    const { rows } = await this.pool.query<{ joined_seq: string; kind: string }>(
      `SELECT m.joined_seq, c.kind FROM conversation_members m
         JOIN conversations c ON c.conversation_id = m.conversation_id
        WHERE m.conversation_id = $1 AND m.user_id = $2`,
      [conversationId, userId],
    );
    const row = rows[0];
    if (!row) return null;
    return row.kind === "group" ? Number(row.joined_seq) : 1;
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

  /** One page of at most `limit` messages from the cursor on, none below `fromSeq`. */
  async page(
    conversationId: string,
    cursor: PageCursor,
    limit: number,
    fromSeq: number,
  ): Promise<Page> {
    const params: unknown[] = [conversationId, limit + 1, fromSeq];
    if (cursor.kind !== "newest") params.push(cursor.seq);
    const { rows } = await this.pool.query<EventRow>(QUERIES[cursor.kind], params);
    // One row beyond the limit tells whether another page exists.
    const hasMore = rows.length > limit;
    const page = rows.slice(0, limit);
    if (cursor.kind !== "after") page.reverse();
    return { messages: page.map(eventOfRow), hasMore };
  }
}
