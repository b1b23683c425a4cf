import { requireId } from "@parley/common";
import type {
  ConversationSummary,
  ListConversationsRequest,
  ListConversationsResponse,
} from "@parley/proto/parley/history/v1/conversations";
import { conversationOf } from "../domain/conversation-view.js";
import { decodePageToken, encodePageToken } from "../domain/page-token.js";
import pLimit from "p-limit";
import type { ConversationReader, ListedRow } from "../pg/conversation-reader.js";

/** Conversations summarized side by side for one page. */
const SUMMARY_CONCURRENCY = 4;
/** Page sizes fixed by conversations.proto. */
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;
/** Unread counts stop here (conversations.proto). */
const UNREAD_CAP = 1_000;

/**
 * ListConversations: one keyset page of the user's list, then a summary of
 * each entry. The summaries read one conversation each, so every query
 * routes to one shard; a few run side by side on the pool.
 */
export async function listConversations(
  reader: ConversationReader,
  request: ListConversationsRequest,
): Promise<ListConversationsResponse> {
  const userId = requireId("user_id", request.userId);
  const after = decodePageToken(request.pageToken);
  const limit = Math.min(request.limit === 0 ? DEFAULT_LIMIT : request.limit, MAX_LIMIT);

  // One entry beyond the page tells whether another page exists.
  const listed = await reader.listPage(userId, limit + 1, after);
  const page = listed.slice(0, limit);
  // Each summary is three single-shard reads; a few conversations at a
  // time keep one page from taking the whole pool from the batch writer.
  const limitReads = pLimit(SUMMARY_CONCURRENCY);
  const summaries = await Promise.all(
    page.map((entry) => limitReads(() => summarize(reader, userId, entry))),
  );
  const last = page.at(-1);
  return {
    // An entry whose membership ended since the page was read is left out.
    conversations: summaries.filter((s) => s !== null),
    nextPageToken:
      listed.length > limit && last
        ? encodePageToken({
            lastActivityMs: last.last_message_at.getTime(),
            conversationId: last.conversation_id,
          })
        : "",
  };
}

async function summarize(
  reader: ConversationReader,
  userId: string,
  entry: ListedRow,
): Promise<ConversationSummary | null> {
  const row = await reader.view(entry.conversation_id, userId);
  if (!row || row.role === null) return null;
  const readSeq = Number(row.read_seq);
  // Unread: text from others above the read watermark, and never from
  // before the user joined (they cannot read that).
  const fromSeq = Math.max(readSeq + 1, Number(row.joined_seq));
  const [lastEvent, unread] = await Promise.all([
    reader.eventAt(entry.conversation_id, Number(entry.last_seq)),
    reader.unread(entry.conversation_id, userId, fromSeq, UNREAD_CAP),
  ]);
  return {
    conversation: conversationOf(row),
    lastEvent: lastEvent ?? undefined,
    unreadCount: unread,
    lastActivityMs: entry.last_message_at.getTime(),
    deliveredSeq: Number(row.delivered_seq),
    readSeq,
  };
}
