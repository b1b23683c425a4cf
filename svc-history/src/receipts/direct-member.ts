import { isGroupConversationId } from "@parley/common";
import type pg from "pg";
import { addDirectMember, lockWatermarks } from "../pg/watermark-store.js";
import type { LogBound } from "./log-bound.js";
import type { Watermarks } from "./watermarks.js";

/**
 * A 1:1 conversation's members are derived from its events, which history
 * stores a batch after fanout delivered them: a receipt for a message that
 * just arrived may find no member row yet. Every entry of the conversation
 * names both participants (the receipt's own seq is looked up first, then
 * the newest entry); when it lists the user, the row is
 * added now (and locked, like any other) instead of refusing a real member.
 * Null when the user is not a participant, or for a group.
 */
export async function directMemberFromLog(
  client: pg.ClientBase,
  bound: LogBound,
  conversationId: string,
  userId: string,
  requested: Watermarks,
): Promise<Watermarks | null> {
  if (isGroupConversationId(conversationId)) return null;
  const wanted = Math.max(requested.delivered, requested.read);
  const last =
    (wanted > 0 ? await bound.entryAt(conversationId, wanted) : null) ??
    (await bound.lastEntry(conversationId));
  if (!last?.memberIds.includes(userId)) return null;
  await addDirectMember(client, conversationId, userId, last.seq);
  return lockWatermarks(client, conversationId, userId);
}
