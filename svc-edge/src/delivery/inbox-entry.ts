import { ConversationEvent } from "@parley/proto/parley/events/v1/events";
import type { MessageView } from "../ws/frames.js";

/**
 * One entry of a user's inbox, decoded once and shared by every device
 * session of the user that delivers it.
 */
export class InboxEntry {
  private frameText: string | undefined;

  constructor(
    /** The entry's INBOX stream sequence. */
    readonly seq: number,
    /** The decoded event; undefined when the payload could not be decoded. */
    readonly event: ConversationEvent | undefined,
  ) {}

  static decode(seq: number, data: Uint8Array): InboxEntry {
    try {
      return new InboxEntry(seq, ConversationEvent.decode(data));
    } catch {
      return new InboxEntry(seq, undefined);
    }
  }

  /** The `message` frame for this entry, serialised once per entry. */
  frame(): string | undefined {
    if (!this.event) return undefined;
    this.frameText ??= JSON.stringify({
      type: "message",
      inbox_seq: this.seq,
      message: messageView(this.event),
    });
    return this.frameText;
  }
}

/** The client-facing shape of a conversation event (live and history). */
export function messageView(event: ConversationEvent): MessageView {
  const view: MessageView = {
    id: event.messageId,
    conversation_id: event.conversationId,
    seq: event.seq,
    from: event.senderId,
    from_device: event.senderDeviceId,
    client_id: event.clientMessageId,
    sent_at: event.sentAtMs,
  };
  if (event.text) view.body = event.text.body;
  return view;
}
