import type { Message, ServerFrameOf } from "../protocol/frames.js";
import type { Model } from "../state/model.js";

/**
 * Puts a message (live or from a page) where the UI finds it: its thread,
 * and the conversation row's last message. Returns true when the message
 * is new to this client (not a redelivery).
 */
export function applyMessage(model: Model, message: Message): boolean {
  const thread = model.thread(message.conversation_id);
  const fresh = thread.add([message]);
  thread.typing.delete(message.from);
  const entry = model.entry(message.conversation_id);
  if (!entry.last || entry.last.seq <= message.seq) {
    entry.last = message;
    entry.lastActivity = Math.max(entry.lastActivity, message.sent_at);
  }
  return fresh;
}

/** A member's watermarks moved; our own ones also clear the unread count. */
export function applyReceipt(model: Model, receipt: ServerFrameOf<"receipt">): void {
  const thread = model.thread(receipt.conversation_id);
  thread.raise(receipt.user_id, receipt.delivered_seq, receipt.read_seq);
  if (receipt.user_id === model.me?.userId) {
    const entry = model.entry(receipt.conversation_id);
    entry.readSeq = Math.max(entry.readSeq, receipt.read_seq);
    if (entry.last && entry.readSeq >= entry.last.seq) entry.unread = 0;
  }
}

/** Messages from others count as unread until a `read` covers them. */
export function countsAsUnread(model: Model, message: Message): boolean {
  return message.from !== model.me?.userId && message.body !== undefined;
}
