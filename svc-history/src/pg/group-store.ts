import type pg from "pg";
import { insertRows } from "./multi-row.js";

/** A group's row, locked for the rest of the transaction. */
export interface LockedGroup {
  conversationId: string;
  title: string;
  membershipVersion: number;
}

export interface GroupMember {
  userId: string;
  role: "admin" | "member";
  joinedSeq: number;
}

// Writes of the membership RPCs, each inside the transaction that holds the
// group's row lock. Every statement names the distribution column of its
// table: conversation_id, and user_id for user_conversations.

const INSERT_GROUP = `INSERT INTO conversations
    (conversation_id, kind, title, created_by, created_at, membership_version)
  VALUES ($1, 'group', $2, $3, $4, 0)
  ON CONFLICT (conversation_id) DO NOTHING RETURNING conversation_id`;

const LOCK_GROUP = `SELECT conversation_id, title, membership_version FROM conversations
  WHERE conversation_id = $1 AND kind = 'group' FOR UPDATE`;

const MEMBERS = `SELECT user_id, role, joined_seq FROM conversation_members
  WHERE conversation_id = $1 ORDER BY joined_seq, user_id`;

const INSERT_MEMBERS = `INSERT INTO conversation_members (conversation_id, user_id, role, joined_seq)`;
// A user re-added after a removal has no row left, so a conflict means a
// row the RPC did not see, which the lock rules out; DO NOTHING is a guard.
const ON_MEMBER_CONFLICT = "ON CONFLICT (conversation_id, user_id) DO NOTHING";

const INSERT_LISTED = `INSERT INTO user_conversations
  (user_id, conversation_id, last_seq, last_message_at)`;
const ON_LISTED_CONFLICT = `ON CONFLICT (user_id, conversation_id) DO UPDATE
  SET last_seq = excluded.last_seq, last_message_at = excluded.last_message_at
  WHERE user_conversations.last_seq < excluded.last_seq`;

/**
 * Creates the group's row unless it exists. False means a request with the
 * same id created it first; a concurrent one waits on the key until that
 * transaction ends.
 */
export async function insertGroup(
  client: pg.ClientBase,
  group: { conversationId: string; title: string; createdBy: string; createdAt: Date },
): Promise<boolean> {
  const { rowCount } = await client.query(INSERT_GROUP, [
    group.conversationId,
    group.title,
    group.createdBy,
    group.createdAt,
  ]);
  return rowCount === 1;
}

/**
 * Locks a group's row: membership changes of one group run one at a time,
 * so each sees the members the previous one left and their events enter
 * the log in commit order. Null when no such group exists.
 */
export async function lockGroup(
  client: pg.ClientBase,
  conversationId: string,
): Promise<LockedGroup | null> {
  const { rows } = await client.query<{
    conversation_id: string;
    title: string | null;
    membership_version: string;
  }>(LOCK_GROUP, [conversationId]);
  const row = rows[0];
  if (!row) return null;
  return {
    conversationId: row.conversation_id,
    title: row.title ?? "",
    membershipVersion: Number(row.membership_version),
  };
}

/** The members, in joining order (ties by user id). */
export async function groupMembers(
  client: pg.ClientBase,
  conversationId: string,
): Promise<GroupMember[]> {
  const { rows } = await client.query<{ user_id: string; role: string; joined_seq: string }>(
    MEMBERS,
    [conversationId],
  );
  return rows.map((r) => ({
    userId: r.user_id,
    role: r.role === "admin" ? "admin" : "member",
    joinedSeq: Number(r.joined_seq),
  }));
}

/**
 * Makes users members from the event at `seq` on, and lists the group for
 * them with that event as its latest.
 */
export async function addGroupMembers(
  client: pg.ClientBase,
  conversationId: string,
  users: { userId: string; role: "admin" | "member" }[],
  event: { seq: number; sentAt: Date },
): Promise<void> {
  const sorted = [...users].sort((a, b) => (a.userId < b.userId ? -1 : 1));
  await insertRows(
    client,
    INSERT_MEMBERS,
    sorted.map((u) => [conversationId, u.userId, u.role, event.seq]),
    ON_MEMBER_CONFLICT,
  );
  await insertRows(
    client,
    INSERT_LISTED,
    sorted.map((u) => [u.userId, conversationId, event.seq, event.sentAt]),
    ON_LISTED_CONFLICT,
  );
}

/**
 * Ends a membership: the member row (with its watermarks) and the user's
 * list entry go, so the group leaves the user's conversation list and the
 * log consumer, which only moves existing entries, cannot bring it back.
 */
export async function deleteGroupMember(
  client: pg.ClientBase,
  conversationId: string,
  userId: string,
): Promise<void> {
  await client.query(
    "DELETE FROM conversation_members WHERE conversation_id = $1 AND user_id = $2",
    [conversationId, userId],
  );
  await client.query("DELETE FROM user_conversations WHERE user_id = $1 AND conversation_id = $2", [
    userId,
    conversationId,
  ]);
}

export async function promoteToAdmin(
  client: pg.ClientBase,
  conversationId: string,
  userId: string,
): Promise<void> {
  await client.query(
    "UPDATE conversation_members SET role = 'admin' WHERE conversation_id = $1 AND user_id = $2",
    [conversationId, userId],
  );
}

export async function setMembershipVersion(
  client: pg.ClientBase,
  conversationId: string,
  version: number,
): Promise<void> {
  await client.query(
    "UPDATE conversations SET membership_version = $2 WHERE conversation_id = $1",
    [conversationId, version],
  );
}
