import type pg from "pg";
import type { ConversationEvent } from "@parley/proto/parley/events/v1/events";
import type { ListKey } from "../domain/page-token.js";
import { EVENT_COLUMNS, eventOfRow, type EventRow } from "./event-row.js";

/** Either a pool or a client inside a transaction. */
export type Queryable = pg.Pool | pg.ClientBase;

/** A conversation as one user sees it. */
export interface ConversationRow {
  conversation_id: string;
  kind: "direct" | "group";
  title: string | null;
  created_by: string | null;
  created_at: Date;
  membership_version: string;
  member_count: string;
  /** The lowest other member: the peer of a 1:1 conversation. */
  peer_id: string | null;
  /** The reader's membership; all null when the reader is not a member. */
  role: "admin" | "member" | null;
  joined_seq: string | null;
  delivered_seq: string | null;
  read_seq: string | null;
}

export interface MemberRow {
  user_id: string;
  role: "admin" | "member";
  joined_seq: string;
  delivered_seq: string;
  read_seq: string;
}

/** A conversation list entry: which conversation, and its latest event. */
export interface ListedRow {
  conversation_id: string;
  last_seq: string;
  last_message_at: Date;
}

// Every query names the distribution column of the tables it reads
// (conversation_id; user_id for user_conversations), and joins only
// colocated tables on it, so each routes to one shard under Citus.
const VIEW = `SELECT c.conversation_id, c.kind, c.title, c.created_by, c.created_at,
    c.membership_version, me.role, me.joined_seq, me.delivered_seq, me.read_seq,
    (SELECT count(*) FROM conversation_members a WHERE a.conversation_id = $1) AS member_count,
    (SELECT min(o.user_id) FROM conversation_members o
      WHERE o.conversation_id = $1 AND o.user_id <> $2) AS peer_id
  FROM conversations c
  LEFT JOIN conversation_members me ON me.conversation_id = c.conversation_id AND me.user_id = $2
  WHERE c.conversation_id = $1`;

const MEMBERS = `SELECT m.user_id, m.role, m.joined_seq, m.delivered_seq, m.read_seq,
    c.membership_version
  FROM conversations c JOIN conversation_members m ON m.conversation_id = c.conversation_id
  WHERE c.conversation_id = $1 ORDER BY m.user_id`;

const MEMBER_IDS = `SELECT c.conversation_id, m.user_id, c.membership_version
  FROM conversations c JOIN conversation_members m ON m.conversation_id = c.conversation_id
  WHERE c.conversation_id = ANY($1::text[]) ORDER BY c.conversation_id, m.user_id`;

const FIRST_PAGE = `SELECT conversation_id, last_seq, last_message_at FROM user_conversations
  WHERE user_id = $1 ORDER BY last_message_at DESC, conversation_id LIMIT $2`;
const NEXT_PAGE = `SELECT conversation_id, last_seq, last_message_at FROM user_conversations
  WHERE user_id = $1
    AND (last_message_at < $3 OR (last_message_at = $3 AND conversation_id > $4))
  ORDER BY last_message_at DESC, conversation_id LIMIT $2`;

// Counting stops at the cap, so a huge backlog costs no more than 1,000 rows.
const UNREAD = `SELECT count(*) AS unread FROM (
    SELECT 1 FROM messages WHERE conversation_id = $1 AND seq >= $2
      AND body IS NOT NULL AND sender_id <> $3 LIMIT $4) AS counted`;

const EVENT_AT = `SELECT ${EVENT_COLUMNS} FROM messages WHERE conversation_id = $1 AND seq = $2`;

/** Reads conversations, members and conversation lists. */
export class ConversationReader {
  constructor(private readonly pool: pg.Pool) {}

  /** The conversation seen by `readerId`; null when no such conversation exists. */
  async view(
    conversationId: string,
    readerId: string,
    db: Queryable = this.pool,
  ): Promise<ConversationRow | null> {
    const { rows } = await db.query<ConversationRow>(VIEW, [conversationId, readerId]);
    return rows[0] ?? null;
  }

  /** Every member by user id, with the membership version the list reflects. */
  async members(
    conversationId: string,
    db: Queryable = this.pool,
  ): Promise<{ members: MemberRow[]; version: number }> {
    const { rows } = await db.query<MemberRow & { membership_version: string }>(MEMBERS, [
      conversationId,
    ]);
    return { members: rows, version: Number(rows[0]?.membership_version ?? 0) };
  }

  /**
   * The member ids and membership version of many conversations in one
   * query (a conversation without members is absent). Its join is on the
   * distribution column, so under Citus it runs on each shard it names.
   */
  async memberIdsOf(
    conversationIds: string[],
  ): Promise<Map<string, { ids: string[]; version: number }>> {
    const { rows } = await this.pool.query<{
      conversation_id: string;
      user_id: string;
      membership_version: string;
    }>(MEMBER_IDS, [conversationIds]);
    const found = new Map<string, { ids: string[]; version: number }>();
    for (const row of rows) {
      let members = found.get(row.conversation_id);
      if (!members) {
        members = { ids: [], version: Number(row.membership_version) };
        found.set(row.conversation_id, members);
      }
      members.ids.push(row.user_id);
    }
    return found;
  }

  /** Up to `limit` entries of a user's list, most recent first, after `after`. */
  async listPage(userId: string, limit: number, after: ListKey | null): Promise<ListedRow[]> {
    const { rows } = after
      ? await this.pool.query<ListedRow>(NEXT_PAGE, [
          userId,
          limit,
          new Date(after.lastActivityMs),
          after.conversationId,
        ])
      : await this.pool.query<ListedRow>(FIRST_PAGE, [userId, limit]);
    return rows;
  }

  /** Text messages from others at or above `fromSeq`, counted up to `cap`. */
  async unread(conversationId: string, userId: string, fromSeq: number, cap: number) {
    const { rows } = await this.pool.query<{ unread: string }>(UNREAD, [
      conversationId,
      fromSeq,
      userId,
      cap,
    ]);
    return Number(rows[0]?.unread ?? 0);
  }

  /** The stored event at `seq`; null when it is not stored (yet). */
  async eventAt(conversationId: string, seq: number): Promise<ConversationEvent | null> {
    const { rows } = await this.pool.query<EventRow>(EVENT_AT, [conversationId, seq]);
    return rows[0] ? eventOfRow(rows[0]) : null;
  }
}
