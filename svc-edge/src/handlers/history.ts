import type { HistoryClient } from "../grpc/history-client.js";
import type { Connection } from "../ws/connection.js";
import type { HistoryRequestFrame } from "../ws/frames.js";
import { messageView } from "../ws/views.js";

/** Reads one page of a conversation from svc-history as the connection's user. */
export async function handleHistory(
  conn: Connection,
  frame: HistoryRequestFrame,
  history: HistoryClient,
): Promise<void> {
  const res = await history.getHistory({
    readerId: conn.deviceSession.identity.userId,
    conversationId: frame.conversation_id,
    beforeSeq: frame.before_seq ?? 0,
    afterSeq: frame.after_seq ?? 0,
    limit: frame.limit ?? 0,
    fromOldest: frame.from_oldest ?? false,
  });
  conn.send({
    type: "history",
    id: frame.id,
    messages: res.messages.map(messageView),
    has_more: res.hasMore,
  });
}
