import { isGroupConversationId } from "@parley/common";
import type pg from "pg";
import { lastStoredSeq, sendersBetween } from "../pg/watermark-store.js";
import type { LogBound } from "./log-bound.js";
import type { Watermarks } from "./watermarks.js";

/** A member's watermarks that moved in one RecordReceipts call. */
export interface MovedWatermarks {
  conversationId: string;
  userId: string;
  /** Before the call's first update of this member. */
  before: Watermarks;
  /** After its last. */
  marks: Watermarks;
}

/** A conversation's member ids and membership version. */
export interface Members {
  ids: string[];
  version: number;
}

export interface Audience {
  /** Whose inboxes the receipt event goes to. */
  memberIds: string[];
  membershipVersion: number;
}

/**
 * Who learns that a member's watermarks moved: the member's own devices
 * when read moved (they keep unread counts in step; delivered tells them
 * nothing, and leaving them out of a delivered-only receipt spares an inbox
 * write, a push and an ack per message delivered) and whoever the move
 * tells something new. In a 1:1 conversation that is the other participant. In a group it
 * is the senders of the messages the move covers, not every member: a
 * receipt to all would cost members² inbox writes per message (a million
 * in a group of 1,024), while the senders are the ones who show "delivered
 * to all" and "read by all" for their own messages. Others read any
 * member's watermarks with ListMembers.
 *
 * The senders come from the stored messages; when history has not stored
 * the whole range yet (it can lag fanout by a batch), the receipt goes to
 * every member instead, correct if dearer.
 */
export async function receiptAudience(
  pool: pg.Pool,
  membersOf: (conversationId: string) => Promise<Members>,
  bound: LogBound,
  moved: MovedWatermarks,
): Promise<Audience> {
  const { conversationId, userId } = moved;
  const { ids: memberIds, version } = await membersOf(conversationId);
  const toSelf = moved.marks.read > moved.before.read;
  if (!isGroupConversationId(conversationId)) {
    // A new 1:1 conversation may have one member row so far (see
    // directMemberFromLog); its log entries name both participants.
    const logged = memberIds.length < 2 ? await bound.lastEntry(conversationId) : null;
    const both = unique([...memberIds, ...(logged?.memberIds ?? [])]);
    return {
      memberIds: toSelf ? both : both.filter((id) => id !== userId),
      membershipVersion: 0,
    };
  }
  const upTo = Math.max(moved.marks.delivered, moved.marks.read);
  const after = Math.min(
    moved.marks.delivered > moved.before.delivered ? moved.before.delivered : upTo,
    moved.marks.read > moved.before.read ? moved.before.read : upTo,
  );
  const others = (ids: string[]) => (toSelf ? ids : ids.filter((id) => id !== userId));
  if ((await lastStoredSeq(pool, conversationId)) < upTo) {
    return { memberIds: others(memberIds), membershipVersion: version };
  }
  const current = new Set(memberIds);
  const senders = await sendersBetween(pool, conversationId, after, upTo);
  return {
    memberIds: others(unique([userId, ...senders]).filter((id) => current.has(id))),
    membershipVersion: version,
  };
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}
