import { Connection, type LinkState } from "../net/connection.js";
import { edgeSocketUrl, fetchDevToken } from "../net/dev-token.js";
import {
  MembershipAction,
  type Media,
  type Message,
  type ServerFrame,
  type ServerFrameOf,
} from "../protocol/frames.js";
import { randomId } from "../protocol/ids.js";
import { draftKey, draftPeer, isDraftKey, Model } from "../state/model.js";
import type { Outgoing } from "../state/thread.js";
import { Acks } from "./acks.js";
import { Conversations } from "./conversations.js";
import { HistoryLoader } from "./history.js";
import { applyMessage, applyReceipt, countsAsUnread } from "./inbox.js";
import { NewConversations } from "./new-conversations.js";
import { Outbox } from "./outbox.js";
import { PresenceWatch } from "./presence-watch.js";
import { Typing } from "./typing.js";
import { downloadUrl } from "./uploads.js";

/** How soon an open chat marks what arrived as read. */
const READ_DELAY_MS = 300;
/** Membership changes that make the user a member. */
const JOINING: string[] = [MembershipAction.Created, MembershipAction.Added];

/**
 * A signed-in device: the connection, what arrives on it, and the user's
 * actions. The model holds the result; the UI calls the methods here.
 */
export class Session {
  readonly model = new Model();
  readonly conn: Connection;
  private readonly acks: Acks;
  private readonly history: HistoryLoader;
  private readonly outbox: Outbox;
  private readonly presence: PresenceWatch;
  private readonly typingIndicators: Typing;
  private readonly conversations: Conversations;
  private readonly fresh = new NewConversations();
  private readTimer: number | undefined;

  constructor(userId: string, deviceId: string) {
    this.model.me = { userId, deviceId };
    this.conn = new Connection({
      url: edgeSocketUrl(),
      token: () => fetchDevToken(userId, deviceId),
      onFrame: (frame) => this.onFrame(frame),
      onState: (state) => this.onLink(state),
    });
    this.acks = new Acks(this.conn);
    this.history = new HistoryLoader(this.model, this.conn, this.fresh);
    this.outbox = new Outbox(this.model, this.conn, { userId, deviceId }, (draft, id) =>
      this.promoted(draft, id),
    );
    this.presence = new PresenceWatch(this.model, this.conn);
    this.typingIndicators = new Typing(this.model, this.conn);
    this.conversations = new Conversations(this.model, this.conn, this.fresh);
    document.addEventListener("visibilitychange", () => this.scheduleRead());
  }

  start(): void {
    this.conn.start();
  }

  stop(): void {
    this.conn.stop();
  }

  // --- what the user does ---

  open(key: string | undefined): void {
    this.model.openKey = key;
    this.model.changed();
    if (!key || isDraftKey(key)) return;
    const thread = this.model.thread(key);
    const entry = this.model.entry(key);
    entry.unread = 0;
    if (!thread.loaded) void this.history.latest(key).then(() => this.scheduleRead(), this.failed);
    this.loadMembers(key);
    this.presence.update();
    this.scheduleRead();
  }

  /** Opens the 1:1 chat with `peer`, as a draft if there is none yet. */
  chatWith(peer: string): void {
    this.open(this.model.directWith(peer)?.id ?? draftKey(peer));
  }

  loadOlder(key: string): void {
    if (!isDraftKey(key)) void this.history.older(key).catch(this.failed);
  }

  send(key: string, body: string): void {
    this.outbox.sendText(key, body);
    if (!isDraftKey(key)) this.typingIndicators.sent(key);
  }

  sendFile(key: string, file: File, caption: string): void {
    void this.outbox.sendFile(key, file, caption);
  }

  retry(outgoing: Outgoing): void {
    this.outbox.retry(outgoing);
  }

  typed(key: string): void {
    if (!isDraftKey(key)) this.typingIndicators.typed(key);
  }

  async createGroup(title: string, members: string[]): Promise<void> {
    const created = await this.conn.request<ServerFrameOf<"group_created">>({
      type: "create_group",
      id: randomId("g"),
      title,
      members,
    });
    this.fresh.note(created.conversation.conversation_id);
    this.conversations.known(created.conversation);
    this.model.thread(created.conversation.conversation_id).loaded = false;
    this.open(created.conversation.conversation_id);
  }

  async addMembers(conversationId: string, userIds: string[]): Promise<void> {
    await this.changeMembers({
      type: "add_members",
      conversation_id: conversationId,
      user_ids: userIds,
    });
  }

  async removeMember(conversationId: string, userId: string): Promise<void> {
    await this.changeMembers({
      type: "remove_member",
      conversation_id: conversationId,
      user_id: userId,
    });
  }

  async leaveGroup(conversationId: string): Promise<void> {
    await this.changeMembers({ type: "leave_group", conversation_id: conversationId });
    this.model.conversations.delete(conversationId);
    this.model.threads.delete(conversationId);
    this.open(undefined);
  }

  /** Opens an image full size, or a file in a new tab, via a download URL. */
  async view(media: Media): Promise<void> {
    try {
      const url = await downloadUrl(this.conn, media.media_id);
      if (media.content_type.startsWith("image/")) {
        this.model.viewing = { url, name: media.file_name ?? "image" };
        this.model.changed();
      } else {
        window.open(url, "_blank", "noopener");
      }
    } catch (err) {
      this.failed(err);
    }
  }

  closeViewer(): void {
    this.model.viewing = undefined;
    this.model.changed();
  }

  // --- what the server says ---

  private onLink(state: LinkState): void {
    this.model.link = state;
    this.model.changed();
    if (state.kind !== "online") return;
    // A new connection: the inbox backlog (what was not acked) arrives by
    // itself; the rest is read again.
    this.acks.reset();
    this.outbox.resendPending();
    void this.conversations
      .refresh()
      .then(() => this.presence.reset())
      .catch(this.failed);
    const open = this.model.openKey;
    if (open && !isDraftKey(open)) {
      const thread = this.model.thread(open);
      const load = thread.loaded ? this.history.forward(open) : this.history.latest(open);
      void load.then(() => this.scheduleRead(), this.failed);
      this.loadMembers(open);
    }
  }

  private onFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case "message":
        return this.onMessage(frame);
      case "receipt":
        this.acks.note(frame.inbox_seq);
        applyReceipt(this.model, frame);
        this.model.changed();
        return;
      case "caught_up":
        this.acks.note(frame.inbox_seq);
        this.acks.flush();
        return;
      case "typing":
        return this.typingIndicators.received(frame);
      case "presence":
        return this.presence.apply(frame.users);
      case "error":
        if (this.typingIndicators.isRefusal(frame)) return;
        return this.failed(new Error(`${frame.code}: ${frame.reason}`));
      default:
        return;
    }
  }

  private onMessage(frame: ServerFrameOf<"message">): void {
    const message = frame.message;
    if (this.isNew(message)) this.fresh.note(message.conversation_id);
    const fresh = applyMessage(this.model, message);
    this.acks.note(frame.inbox_seq);
    const id = message.conversation_id;
    const entry = this.model.entry(id);
    if (!entry.conversation) this.conversations.ensure(id);
    if (message.membership) {
      this.conversations.ensure(id);
      if (this.model.openKey === id) this.loadMembers(id);
    }
    const reading = this.model.openKey === id && document.visibilityState === "visible";
    if (fresh && countsAsUnread(this.model, message) && message.seq > entry.readSeq && !reading) {
      entry.unread++;
    }
    if (this.model.openKey === id) this.scheduleRead();
    this.presence.update();
    this.model.changed();
  }

  // --- helpers ---

  /** A conversation not described yet, or a group that just took us in. */
  private isNew(message: Message): boolean {
    if (!this.model.conversations.get(message.conversation_id)?.conversation) return true;
    const change = message.membership;
    if (!change || !JOINING.includes(change.action)) return false;
    return change.user_ids.includes(this.model.me?.userId ?? "");
  }

  /** A draft 1:1 chat's first send answered: it is a conversation now. */
  private promoted(draft: string, conversationId: string): void {
    this.fresh.note(conversationId);
    const entry = this.model.entry(conversationId);
    // What the first send told us, until the list or get_conversation
    // brings the stored conversation.
    entry.conversation ??= {
      conversation_id: conversationId,
      kind: "direct",
      peer_id: draftPeer(draft),
      created_at: Date.now(),
      member_count: 2,
      membership_version: 0,
      role: "member",
    };
    const thread = this.model.thread(conversationId);
    const drafted = this.model.threads.get(draft);
    thread.loaded = thread.loaded || drafted?.loaded === true;
    thread.unsentText ||= drafted?.unsentText ?? "";
    this.model.threads.delete(draft);
    entry.lastActivity ||= Date.now();
    if (this.model.openKey === draft) this.open(conversationId);
  }

  private loadMembers(conversationId: string): void {
    this.fresh
      .read(conversationId, () =>
        this.conn.request<ServerFrameOf<"members">>({
          type: "list_members",
          id: randomId("lm"),
          conversation_id: conversationId,
        }),
      )
      .then((answer) => {
        const thread = this.model.thread(conversationId);
        thread.members = answer.members;
        for (const m of answer.members) thread.raise(m.user_id, m.delivered_seq, m.read_seq);
        this.presence.update();
        this.model.changed();
      })
      .catch(() => {});
  }

  private async changeMembers(frame: Record<string, unknown> & { type: string }): Promise<void> {
    const answer = await this.conn.request<ServerFrameOf<"members_changed">>({
      ...frame,
      id: randomId("mc"),
    });
    this.conversations.known(answer.conversation);
    for (const event of answer.events) applyMessage(this.model, event);
    this.loadMembers(answer.conversation.conversation_id);
  }

  /** Marks the open chat read up to its newest message, after an ack. */
  private scheduleRead(): void {
    clearTimeout(this.readTimer);
    this.readTimer = window.setTimeout(() => void this.markRead(), READ_DELAY_MS);
  }

  private async markRead(): Promise<void> {
    const key = this.model.openKey;
    if (!key || isDraftKey(key) || document.visibilityState !== "visible") return;
    const thread = this.model.thread(key);
    const entry = this.model.entry(key);
    const me = this.model.me?.userId;
    const newestOther = thread.sorted.findLast((m) => m.from !== me)?.seq ?? 0;
    const newest = thread.newestSeq;
    if (newest === undefined || newestOther <= entry.readSeq || !this.conn.isOnline) return;
    // read is clamped to what was acked: ack first, on the same connection.
    this.acks.flush();
    try {
      const marks = await this.conn.request<ServerFrameOf<"watermarks">>({
        type: "read",
        id: randomId("rd"),
        conversation_id: key,
        seq: newest,
      });
      entry.readSeq = Math.max(entry.readSeq, marks.read_seq);
      thread.raise(me ?? "", marks.delivered_seq, marks.read_seq);
      entry.unread = 0;
      this.model.changed();
    } catch {
      // Tried again with the next message or reconnect.
    }
  }

  private readonly failed = (err: unknown): void => {
    this.model.say(err instanceof Error ? err.message : String(err));
  };
}
