import type { Connection } from "../net/connection.js";
import type { PresenceState, ServerFrameOf } from "../protocol/frames.js";
import { randomId } from "../protocol/ids.js";
import type { Model } from "../state/model.js";

/** watch_presence takes at most this many users (EDGE_MAX_WATCHED_USERS). */
const MAX_WATCHED = 500;
/**
 * A peer met a moment ago may still be `not_visible` (presence checks stored
 * conversations, which trail the first message): ask again after this.
 */
const NOT_VISIBLE_RETRY_MS = 3_000;
const MAX_NOT_VISIBLE_RETRIES = 3;

/**
 * Keeps the connection's watched set to the 1:1 peers and the open group's
 * members, sending `watch_presence` only when that set changes, and again
 * after each reconnect (a new connection watches nobody).
 */
export class PresenceWatch {
  private watched = "";
  private timer: number | undefined;
  private retries = 0;

  constructor(
    private readonly model: Model,
    private readonly conn: Connection,
  ) {}

  /** The set may have changed (a conversation appeared, a group opened). */
  update(): void {
    clearTimeout(this.timer);
    this.timer = window.setTimeout(() => void this.sync(false), 100);
  }

  /** A new connection: send the set whatever it was. */
  reset(): void {
    this.watched = "";
    this.retries = 0;
    this.update();
  }

  apply(users: PresenceState[]): void {
    for (const user of users) this.model.presence.set(user.user_id, user);
    this.model.changed();
  }

  private wanted(): string[] {
    const me = this.model.me?.userId;
    const ids = new Set<string>();
    const open = this.model.openKey && this.model.threads.get(this.model.openKey);
    for (const m of (open && open.members) || []) ids.add(m.user_id);
    for (const entry of this.model.conversations.values()) {
      const peer = entry.conversation?.peer_id;
      if (entry.conversation?.kind === "direct" && peer) ids.add(peer);
    }
    if (me) ids.delete(me);
    return [...ids].slice(0, MAX_WATCHED);
  }

  private async sync(again: boolean): Promise<void> {
    const ids = this.wanted();
    const key = ids.join(",");
    if (key === this.watched && !again) return;
    if (!this.conn.isOnline) return;
    this.watched = key;
    if (!again) this.retries = 0;
    try {
      const answer = await this.conn.request<ServerFrameOf<"presence">>({
        type: "watch_presence",
        id: randomId("w"),
        user_ids: ids,
      });
      this.apply(answer.users);
      if (answer.not_visible?.length && this.retries++ < MAX_NOT_VISIBLE_RETRIES) {
        this.timer = window.setTimeout(() => void this.sync(true), NOT_VISIBLE_RETRY_MS);
      }
    } catch {
      this.watched = "";
    }
  }
}
