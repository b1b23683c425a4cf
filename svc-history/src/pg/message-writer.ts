import type pg from "pg";
import type { StoredMessage } from "../domain/stored-message.js";
import { batchRows } from "./batch-rows.js";
import { insertRows } from "./multi-row.js";

// Each statement names the distribution column of its table first, and every
// conflict clause keeps the write idempotent: a replayed batch changes
// nothing, and an out-of-order one only ever moves values the right way
// (joined_seq down, last_seq up).
const INSERT_MESSAGES = `INSERT INTO messages (conversation_id, seq, message_id, sender_id,
  sender_device_id, client_message_id, sent_at, body)`;
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
