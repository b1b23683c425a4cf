import type { LinkState } from "../net/connection.js";
import type { Conversation, Message, PresenceState } from "../protocol/frames.js";
import { Emitter } from "./emitter.js";
import { Thread } from "./thread.js";

/** A row of the conversation list. */
export interface ConversationEntry {
  id: string;
  conversation?: Conversation;
  last?: Message;
  unread: number;
  lastActivity: number;
  readSeq: number;
}

/** Opens a 1:1 chat that has no conversation id yet (before its first send). */
export const draftKey = (peer: string) => `to:${peer}`;
export const isDraftKey = (key: string) => key.startsWith("to:");
export const draftPeer = (key: string) => key.slice(3);

/**
 * Everything the UI shows, in one place. The session changes it and calls
 * changed(); components re-render from it.
 */
export class Model extends Emitter {
  me: { userId: string; deviceId: string } | undefined;
  link: LinkState = { kind: "connecting" };
  readonly conversations = new Map<string, ConversationEntry>();
  readonly threads = new Map<string, Thread>();
  readonly presence = new Map<string, PresenceState>();
  /** The open chat: a conversation id or a draftKey. */
  openKey: string | undefined;
  /** A short message for the user (a failed request), cleared on the next. */
  notice: string | undefined;
  /** The full-size image being viewed, if any. */
  viewing: { url: string; name: string } | undefined;

  thread(key: string): Thread {
    let thread = this.threads.get(key);
    if (!thread) {
      thread = new Thread(key);
      this.threads.set(key, thread);
    }
    return thread;
  }

  entry(id: string): ConversationEntry {
    let entry = this.conversations.get(id);
    if (!entry) {
      entry = { id, unread: 0, lastActivity: 0, readSeq: 0 };
      this.conversations.set(id, entry);
    }
    return entry;
  }

  /** Conversations, most recent activity first. */
  get ordered(): ConversationEntry[] {
    return [...this.conversations.values()].sort((a, b) => b.lastActivity - a.lastActivity);
  }

  /** The 1:1 conversation with `peer`, if one is known. */
  directWith(peer: string): ConversationEntry | undefined {
    for (const entry of this.conversations.values()) {
      if (entry.conversation?.kind === "direct" && entry.conversation.peer_id === peer) {
        return entry;
      }
    }
    return undefined;
  }

  /** What to call a conversation in lists and headers. */
  titleOf(id: string): string {
    if (isDraftKey(id)) return draftPeer(id);
    const entry = this.conversations.get(id);
    const c = entry?.conversation;
    if (!c) {
      // Not described yet: a 1:1 message from someone else names the peer.
      const from = entry?.last?.from;
      return id.startsWith("d_") && from && from !== this.me?.userId ? from : "…";
    }
    return c.kind === "group" ? (c.title ?? "Group") : (c.peer_id ?? "?");
  }

  say(notice: string | undefined): void {
    this.notice = notice;
    this.changed();
  }
}
