import type { Connection } from "../net/connection.js";
import type { Conversation, ServerFrameOf } from "../protocol/frames.js";
import { randomId } from "../protocol/ids.js";
import type { Model } from "../state/model.js";
import type { NewConversations } from "./new-conversations.js";

const PAGE = 100;
const MAX_PAGES = 5;

/** The conversation list and single conversations, from svc-history. */
export class Conversations {
  private readonly asking = new Set<string>();

  constructor(
    private readonly model: Model,
    private readonly conn: Connection,
    private readonly fresh: NewConversations,
  ) {}

  /** Reads the list (up to MAX_PAGES pages) into the model's rows. */
  async refresh(): Promise<void> {
    let token: string | undefined;
    for (let i = 0; i < MAX_PAGES; i++) {
      const page = await this.conn.request<ServerFrameOf<"conversations">>({
        type: "list_conversations",
        id: randomId("l"),
        limit: PAGE,
        ...(token ? { page_token: token } : {}),
      });
      for (const summary of page.conversations) {
        const entry = this.model.entry(summary.conversation.conversation_id);
        entry.conversation = summary.conversation;
        // The list is built from stored history, which trails the live
        // inbox: a count without the newest live messages keeps ours.
        const stale = !!entry.last && (summary.last_message?.seq ?? 0) < entry.last.seq;
        if (summary.last_message && !stale) entry.last = summary.last_message;
        entry.lastActivity = Math.max(entry.lastActivity, summary.last_activity);
        entry.readSeq = Math.max(entry.readSeq, summary.read_seq);
        const unread = stale ? Math.max(entry.unread, summary.unread_count) : summary.unread_count;
        entry.unread = this.model.openKey === entry.id ? 0 : unread;
      }
      this.model.changed();
      token = page.next_page_token;
      if (!token) return;
    }
  }

  /**
   * Fills in a conversation first met through a message. One not stored
   * yet is asked for again (NewConversations); one that still fails is
   * left to the next refresh.
   */
  ensure(conversationId: string): void {
    const entry = this.model.entry(conversationId);
    if (entry.conversation || this.asking.has(conversationId)) return;
    this.asking.add(conversationId);
    void this.fresh
      .read(conversationId, () =>
        this.conn.request<ServerFrameOf<"conversation">>({
          type: "get_conversation",
          id: randomId("c"),
          conversation_id: conversationId,
        }),
      )
      .then(
        (answer) => this.known(answer.conversation),
        () => {},
      )
      .finally(() => this.asking.delete(conversationId));
  }

  known(conversation: Conversation): void {
    const entry = this.model.entry(conversation.conversation_id);
    entry.conversation = conversation;
    entry.lastActivity = Math.max(entry.lastActivity, conversation.created_at);
    this.model.changed();
  }
}
