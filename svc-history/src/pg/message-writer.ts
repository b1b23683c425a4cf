import type pg from "pg";
import type { StoredMessage } from "../domain/stored-message.js";
import { batchRows } from "./batch-rows.js";
import { insertRows } from "./multi-row.js";

// Each statement names the distribution column of its table first, and every
// conflict clause keeps the write idempotent: a replayed batch changes
// nothing, and an out-of-order one only ever moves values the right way
// (joined_seq down, last_seq up).
const INSERT_MESSAGES = `INSERT INTO messages (conversation_id, seq, message_id, sender_id,
  sender_device_id, client_message_id, sent_at, body, membership, media)`;
// Either key may conflict: (conversation_id, seq) on a replay, and
// (conversation_id, message_id) when a retried send reached the log twice.
const ON_MESSAGE_CONFLICT = "ON CONFLICT DO NOTHING";

const UPSERT_CONVERSATIONS = "INSERT INTO conversations (conversation_id, kind, created_at)";
const ON_CONVERSATION_CONFLICT = `ON CONFLICT (conversation_id) DO UPDATE
  SET created_at = excluded.created_at
  WHERE conversations.created_at > excluded.created_at`;

const UPSERT_MEMBERS = "INSERT INTO conversation_members (conversation_id, user_id, joined_seq)";
const ON_MEMBER_CONFLICT = `ON CONFLICT (conversation_id, user_id) DO UPDATE
  SET joined_seq = excluded.joined_seq
  WHERE conversation_members.joined_seq > excluded.joined_seq`;

const UPSERT_USER_CONVERSATIONS = `INSERT INTO user_conversations (user_id, conversation_id,
  last_seq, last_message_at)`;
const ON_USER_CONVERSATION_CONFLICT = `ON CONFLICT (user_id, conversation_id) DO UPDATE
  SET last_seq = excluded.last_seq, last_message_at = excluded.last_message_at
  WHERE user_conversations.last_seq < excluded.last_seq`;

// A group's conversation list rows are created and deleted by the
// membership RPCs; events only move those that exist, for the members the
// group has now (the event's stamp may be older than a removal). Both
// statements name the distribution column of their table: conversation_id,
// then (user_id list, conversation_id), which Citus prunes to those users.
const GROUP_MEMBERS = `SELECT conversation_id, user_id FROM conversation_members
  WHERE conversation_id = ANY($1)`;
// One statement for every (member, group) pair of the batch; rows come
// sorted by user_id, the distribution column, then conversation_id, so
// concurrent writers lock in one order.
const MOVE_GROUP_LISTS = `UPDATE user_conversations u
  SET last_seq = a.seq, last_message_at = a.at
  FROM unnest($1::text[], $2::text[], $3::bigint[], $4::timestamptz[])
    AS a(user_id, conversation_id, seq, at)
  WHERE u.user_id = a.user_id AND u.conversation_id = a.conversation_id
    AND u.last_seq < a.seq`;

/** Stores batches of log entries, one transaction per batch. */
export class MessageWriter {
  constructor(private readonly pool: pg.Pool) {}

  /**
   * Writes the batch and its conversation, membership and conversation-list
   * rows atomically. Idempotent: writing a batch again stores nothing twice.
   * Returns how many messages were new. Throws on any database failure, in
   * which case nothing of the batch was written.
   */
  async write(batch: StoredMessage[]): Promise<number> {
    const rows = batchRows(batch);
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const inserted = await insertRows(
        client,
        INSERT_MESSAGES,
        rows.messages,
        ON_MESSAGE_CONFLICT,
      );
      await insertRows(client, UPSERT_CONVERSATIONS, rows.conversations, ON_CONVERSATION_CONFLICT);
      await insertRows(client, UPSERT_MEMBERS, rows.members, ON_MEMBER_CONFLICT);
      await insertRows(
        client,
        UPSERT_USER_CONVERSATIONS,
        rows.userConversations,
        ON_USER_CONVERSATION_CONFLICT,
      );
      await moveGroupLists(client, rows.groupActivity);
      await client.query("COMMIT");
      client.release();
      return inserted;
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      // Discard the connection: after a failure its state is not trusted.
      client.release(true);
      throw err;
    }
  }
}

/**
 * Moves the conversation list of each group's current members to the
 * group's latest event of the batch. A member whose addition commits while
 * the batch is written keeps the addition event as its latest until the
 * group's next event moves it: the list lags by one event at most.
 */
async function moveGroupLists(
  client: pg.ClientBase,
  activity: [string, number, Date][],
): Promise<void> {
  if (activity.length === 0) return;
  const { rows } = await client.query<{ conversation_id: string; user_id: string }>(GROUP_MEMBERS, [
    activity.map(([conversationId]) => conversationId),
  ]);
  const latest = new Map(
    activity.map(([conversationId, seq, at]) => [conversationId, { seq, at }]),
  );
  const pairs = rows
    .map((r) => ({ ...r, ...latest.get(r.conversation_id)! }))
    .sort((a, b) => compare(a.user_id, b.user_id) || compare(a.conversation_id, b.conversation_id));
  if (pairs.length === 0) return;
  await client.query(MOVE_GROUP_LISTS, [
    pairs.map((p) => p.user_id),
    pairs.map((p) => p.conversation_id),
    pairs.map((p) => p.seq),
    pairs.map((p) => p.at),
  ]);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
