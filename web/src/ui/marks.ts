import type { Message } from "../protocol/frames.js";
import type { ConversationEntry } from "../state/model.js";
import type { Thread } from "../state/thread.js";

/** What an own message shows: not answered yet, stored, delivered, read. */
export type Mark = "sending" | "sent" | "delivered" | "read" | "failed";

/**
 * docs/protocol.md, Receipts: delivered once every other member's
 * `delivered_seq` reached the message's seq, read likewise with `read_seq`.
 * In a 1:1 the other member is the peer.
 */
export function markOf(
  message: Message,
  thread: Thread,
  entry: ConversationEntry | undefined,
  me: string,
): Mark {
  const others = otherMembers(thread, entry, me);
  if (others.length === 0) return "sent";
  const marks = others.map((user) => thread.watermarks.get(user));
  if (marks.every((w) => w && w.read >= message.seq)) return "read";
  if (marks.every((w) => w && w.delivered >= message.seq)) return "delivered";
  return "sent";
}

function otherMembers(thread: Thread, entry: ConversationEntry | undefined, me: string): string[] {
  if (thread.members) return thread.members.map((m) => m.user_id).filter((u) => u !== me);
  const peer = entry?.conversation?.peer_id;
  return peer ? [peer] : [];
}

export const MARK_GLYPH: Record<Mark, string> = {
  sending: "🕓",
  sent: "✓",
  delivered: "✓✓",
  read: "✓✓",
  failed: "!",
};
