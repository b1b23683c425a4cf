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

/** A (conversation, member) pair and a watermark value for it. */
export interface MemberWatermarks extends Watermarks {
  conversationId: string;
  userId: string;
}

/**
 * The watermarks of many members at once, keyed by `pairKey`; a pair with
 * no row is absent. Unlocked: the caller only moves them forward with
 * raiseWatermarks, which rechecks each row under its own lock.
 */
export async function readWatermarks(
  db: pg.Pool | pg.ClientBase,
  pairs: { conversationId: string; userId: string }[],
): Promise<Map<string, Watermarks>> {
  const { rows } = await db.query<WatermarkRow>(
    `SELECT m.conversation_id, m.user_id, m.delivered_seq, m.read_seq
       FROM conversation_members m
       JOIN unnest($1::text[], $2::text[]) AS k(conversation_id, user_id)
         ON m.conversation_id = k.conversation_id AND m.user_id = k.user_id`,
    [pairs.map((p) => p.conversationId), pairs.map((p) => p.userId)],
  );
  return new Map(rows.map((r) => [pairKey(r.conversation_id, r.user_id), marksOf(r)]));
}

/** The highest stored seq of each conversation; one with none is absent. */
export async function lastStoredSeqs(
  db: pg.Pool | pg.ClientBase,
  conversationIds: string[],
): Promise<Map<string, number>> {
  const { rows } = await db.query<{ conversation_id: string; seq: string }>(
    `SELECT conversation_id, max(seq) AS seq FROM messages
      WHERE conversation_id = ANY($1::text[]) GROUP BY conversation_id`,
    [conversationIds],
  );
  return new Map(rows.map((r) => [r.conversation_id, Number(r.seq)]));
}

/**
 * Moves many members' watermarks forward in one statement, each row under
 * its own row lock: a value lower than the stored one changes nothing, and
 * read is clamped to the delivered value the row ends with, so concurrent
 * callers can never move a watermark back or break the clamp. Answers the
 * rows' values afterwards; a pair whose row is gone (the member left) is
 * absent.
 */
export async function raiseWatermarks(
  db: pg.Pool | pg.ClientBase,
  raises: MemberWatermarks[],
): Promise<Map<string, Watermarks>> {
  if (raises.length === 0) return new Map();
  const { rows } = await db.query<WatermarkRow>(
    `UPDATE conversation_members m
        SET delivered_seq = GREATEST(m.delivered_seq, u.delivered),
            read_seq = GREATEST(m.read_seq, LEAST(u.read, GREATEST(m.delivered_seq, u.delivered)))
       FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[])
            AS u(conversation_id, user_id, delivered, read)
      WHERE m.conversation_id = u.conversation_id AND m.user_id = u.user_id
      RETURNING m.conversation_id, m.user_id, m.delivered_seq, m.read_seq`,
    [
      raises.map((r) => r.conversationId),
      raises.map((r) => r.userId),
      raises.map((r) => r.delivered),
      raises.map((r) => r.read),
    ],
  );
  return new Map(rows.map((r) => [pairKey(r.conversation_id, r.user_id), marksOf(r)]));
}

/** The key of a (conversation, member) pair in the maps above. */
export function pairKey(conversationId: string, userId: string): string {
  return `${conversationId}\0${userId}`;
}

interface WatermarkRow {
  conversation_id: string;
  user_id: string;
  delivered_seq: string;
  read_seq: string;
}

function marksOf(row: WatermarkRow): Watermarks {
  return { delivered: Number(row.delivered_seq), read: Number(row.read_seq) };
}
