import type { Connection } from "../net/connection.js";
import type { ServerFrameOf } from "../protocol/frames.js";
import { randomId } from "../protocol/ids.js";
import type { Model } from "../state/model.js";
import { applyMessage } from "./inbox.js";
import type { NewConversations } from "./new-conversations.js";

const PAGE = 30;
/** Pages read forward after a reconnect before giving up on the gap. */
const MAX_FORWARD_PAGES = 20;

type Page = ServerFrameOf<"history">;

/** History pages of one conversation into its thread (docs: `history`). */
export class HistoryLoader {
  constructor(
    private readonly model: Model,
    private readonly conn: Connection,
    private readonly fresh: NewConversations,
  ) {}

  /** The newest page, the first time a conversation is opened. */
  async latest(conversationId: string): Promise<void> {
    const thread = this.model.thread(conversationId);
    const page = await this.page(conversationId, { limit: PAGE });
    this.apply(page);
    thread.hasMore = page.has_more;
    thread.loaded = true;
    this.model.changed();
  }

  /** The page before the oldest message shown (scrolling up). */
  async older(conversationId: string): Promise<void> {
    const thread = this.model.thread(conversationId);
    const before = thread.oldestSeq;
    if (thread.loadingOlder || !thread.hasMore || before === undefined) return;
    thread.loadingOlder = true;
    this.model.changed();
    try {
      const page = await this.page(conversationId, { before_seq: before, limit: PAGE });
      this.apply(page);
      thread.hasMore = page.has_more;
    } finally {
      thread.loadingOlder = false;
      this.model.changed();
    }
  }

  /**
   * Everything after the newest message shown: after a reconnect, what
   * other devices acked meanwhile does not come through the inbox again.
   */
  async forward(conversationId: string): Promise<void> {
    const thread = this.model.thread(conversationId);
    for (let i = 0; i < MAX_FORWARD_PAGES; i++) {
      const after = thread.newestSeq;
      if (after === undefined) return this.latest(conversationId);
      const page = await this.page(conversationId, { after_seq: after });
      this.apply(page);
      this.model.changed();
      if (!page.has_more || page.messages.length === 0) return;
    }
  }

  private page(conversationId: string, query: Record<string, unknown>): Promise<Page> {
    return this.fresh.read(conversationId, () =>
      this.conn.request<Page>({
        type: "history",
        id: randomId("h"),
        conversation_id: conversationId,
        ...query,
      }),
    );
  }

  private apply(page: Page): void {
    for (const message of page.messages) applyMessage(this.model, message);
  }
}
