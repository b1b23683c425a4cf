import { conversationKind, type StoredMessage } from "../domain/stored-message.js";

/**
 * The rows one batch writes to each table, one per key. Redeliveries may put
 * an entry in a batch twice, and an upsert may not touch a row twice in one
 * statement, so rows are reduced per key first. They come sorted by key so
 * that concurrent writers lock rows in the same order and cannot deadlock.
 */
export interface BatchRows {
  messages: unknown[][];
  conversations: unknown[][];
  members: unknown[][];
  userConversations: unknown[][];
  /** [conversation_id, last seq, its sent_at] per group of the batch. */
  groupActivity: [string, number, Date][];
}

/**
 * A 1:1 conversation's rows are derived from its events: the pair in
 * `memberIds` become members and list it. A group's are not: its members
 * are kept by ConversationService, and an event stamped before a removal
 * would re-add the removed member. For a group the batch only stores the
 * events and reports the latest one (`groupActivity`), which moves the
 * conversation list of the members it already has.
 */
export function batchRows(batch: StoredMessage[]): BatchRows {
  const messages = new Map<string, unknown[]>();
  const conversations = new Map<string, [string, string, Date]>();
  const members = new Map<string, [string, string, number]>();
  const userConversations = new Map<string, [string, string, number, Date]>();
  const groupActivity = new Map<string, [string, number, Date]>();

  for (const m of batch) {
    messages.set(key(m.conversationId, m.seq), [
      m.conversationId,
      m.seq,
      m.messageId,
      m.senderId,
      m.senderDeviceId,
      m.clientMessageId,
      m.sentAt,
      m.body,
      m.membership === null ? null : JSON.stringify(m.membership),
      m.media === null ? null : Buffer.from(m.media),
    ]);
    if (conversationKind(m.conversationId) === "group") {
      const latest = groupActivity.get(m.conversationId);
      if (!latest || latest[1] < m.seq) {
        groupActivity.set(m.conversationId, [m.conversationId, m.seq, m.sentAt]);
      }
      continue;
    }
    const conversation = conversations.get(m.conversationId);
    if (!conversation || conversation[2] > m.sentAt) {
      conversations.set(m.conversationId, [m.conversationId, "direct", m.sentAt]);
    }
    for (const user of new Set(m.memberIds)) {
      const member = members.get(key(m.conversationId, user));
      if (!member || member[2] > m.seq) {
        members.set(key(m.conversationId, user), [m.conversationId, user, m.seq]);
      }
      const listed = userConversations.get(key(user, m.conversationId));
      if (!listed || listed[2] < m.seq) {
        userConversations.set(key(user, m.conversationId), [
          user,
          m.conversationId,
          m.seq,
          m.sentAt,
        ]);
      }
    }
  }
  return {
    messages: sortedValues(messages),
    conversations: sortedValues(conversations),
    members: sortedValues(members),
    userConversations: sortedValues(userConversations),
    groupActivity: sortedValues(groupActivity),
  };
}

/** A map key; NUL cannot occur in stored ids (see decodeLogEntry). */
function key(a: string, b: string | number): string {
  return typeof b === "number" ? `${a}\0${String(b).padStart(20, "0")}` : `${a}\0${b}`;
}

function sortedValues<V>(map: Map<string, V>): V[] {
  return [...map.keys()].sort().map((k) => map.get(k) as V);
}
