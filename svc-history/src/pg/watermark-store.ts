import type pg from "pg";
import type { Watermarks } from "../receipts/watermarks.js";

// Each statement names the distribution column (conversation_id) and the
// rest of the primary key, so it routes to one shard and one row.

/** The member's watermarks, locked until the transaction ends; null for a non-member. */
export async function lockWatermarks(
  client: pg.ClientBase,
  conversationId: string,
  userId: string,
): Promise<Watermarks | null> {
  const { rows } = await client.query<{ delivered_seq: string; read_seq: string }>(
    `SELECT delivered_seq, read_seq FROM conversation_members
      WHERE conversation_id = $1 AND user_id = $2 FOR UPDATE`,
    [conversationId, userId],
  );
  const row = rows[0];
  return row ? { delivered: Number(row.delivered_seq), read: Number(row.read_seq) } : null;
}

/**
 * Records a 1:1 participant the log names but history has not stored yet,
 * as the batch writer will (it lowers joined_seq if it stores an earlier
 * event).
 */
export async function addDirectMember(
  client: pg.ClientBase,
  conversationId: string,
  userId: string,
  seenAtSeq: number,
): Promise<void> {
  await client.query(
    `INSERT INTO conversation_members (conversation_id, user_id, joined_seq)
      VALUES ($1, $2, $3) ON CONFLICT (conversation_id, user_id) DO NOTHING`,
    [conversationId, userId, seenAtSeq],
  );
}

/** The highest stored seq of the conversation (0 when none). */
export async function lastStoredSeq(db: pg.Pool | pg.ClientBase, conversationId: string) {
  const { rows } = await db.query<{ seq: string | null }>(
    "SELECT max(seq) AS seq FROM messages WHERE conversation_id = $1",
    [conversationId],
  );
  return Number(rows[0]?.seq ?? 0);
}

/** Who sent the stored text messages with seq in (afterSeq, upToSeq]. */
export async function sendersBetween(
  db: pg.Pool | pg.ClientBase,
  conversationId: string,
  afterSeq: number,
  upToSeq: number,
): Promise<string[]> {
  const { rows } = await db.query<{ sender_id: string }>(
    `SELECT DISTINCT sender_id FROM messages
      WHERE conversation_id = $1 AND seq > $2 AND seq <= $3 AND body IS NOT NULL`,
    [conversationId, afterSeq, upToSeq],
  );
  return rows.map((r) => r.sender_id);
}

export async function saveWatermarks(
  client: pg.ClientBase,
  conversationId: string,
  userId: string,
  marks: Watermarks,
): Promise<void> {
  await client.query(
    `UPDATE conversation_members SET delivered_seq = $3, read_seq = $4
      WHERE conversation_id = $1 AND user_id = $2`,
    [conversationId, userId, marks.delivered, marks.read],
  );
}
