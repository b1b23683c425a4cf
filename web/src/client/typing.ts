import type { Connection } from "../net/connection.js";
import type { ServerFrameOf } from "../protocol/frames.js";
import { randomId } from "../protocol/ids.js";
import type { Model } from "../state/model.js";

/** Well within the 5 s a `typing` shows for, as the protocol suggests. */
const REFRESH_MS = 3_000;
/** Marks our typing frames' ids, which only an error frame echoes. */
const ID_PREFIX = "typing-";

/** Typing indicators: ours out (throttled), others' in (with expiry). */
export class Typing {
  private lastSent = new Map<string, number>();

  constructor(
    private readonly model: Model,
    private readonly conn: Connection,
  ) {}

  /** The user typed in a conversation; at most one frame per REFRESH_MS. */
  typed(conversationId: string): void {
    const now = Date.now();
    if (now - (this.lastSent.get(conversationId) ?? 0) < REFRESH_MS) return;
    const frame = { type: "typing", id: randomId(ID_PREFIX), conversation_id: conversationId };
    if (this.conn.send(frame)) {
      this.lastSent.set(conversationId, now);
    }
  }

  /** A message went out: the next keystroke starts a new indicator. */
  sent(conversationId: string): void {
    this.lastSent.delete(conversationId);
  }

  /**
   * An error frame answering a typing frame: not worth telling the user
   * (a conversation met moments ago may not be stored yet, and the next
   * keystroke tries again).
   */
  isRefusal(frame: ServerFrameOf<"error">): boolean {
    return frame.id?.startsWith(ID_PREFIX) === true;
  }

  received(frame: ServerFrameOf<"typing">): void {
    const thread = this.model.thread(frame.conversation_id);
    thread.typing.set(frame.user_id, Date.now() + frame.expires_in_ms);
    this.model.changed();
    // Re-render when it runs out; a refresh sets a later expiry meanwhile.
    window.setTimeout(() => this.model.changed(), frame.expires_in_ms + 50);
  }
}

/** Who is typing in a thread right now. */
export function typingNow(typing: Map<string, number>): string[] {
  const now = Date.now();
  return [...typing].filter(([, until]) => until > now).map(([user]) => user);
}
