import type { MsgHdrs } from "@nats-io/transport-node";
import type { Context } from "@opentelemetry/api";
import { contextOf } from "@parley/common";
import { ConversationEvent } from "@parley/proto/parley/events/v1/events";
import type { ReceiptFrame } from "../ws/frames.js";
import { messageView } from "../ws/views.js";

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
    /** The trace the entry carries, when its message was sampled. */
    readonly trace?: Context,
  ) {}

  static decode(seq: number, data: Uint8Array, headers?: MsgHdrs): InboxEntry {
    const trace = contextOf(headers);
    try {
      return new InboxEntry(seq, ConversationEvent.decode(data), trace);
    } catch {
      return new InboxEntry(seq, undefined, trace);
    }
  }

  /**
   * Whether the entry is a message the given device sent itself. That
   * device has it already: the `sent` answer told it the id and seq, so
   * the copy in its user's inbox is for the user's other devices only.
   */
  sentBy(userId: string, deviceId: string): boolean {
    const event = this.event;
    return (
      event?.text !== undefined && event.senderId === userId && event.senderDeviceId === deviceId
    );
  }

  /**
   * The frame for this entry, serialised once per entry: `receipt` for a
   * receipt event, `message` for anything else (text or membership change).
   */
  frame(): string | undefined {
    if (!this.event) return undefined;
    this.frameText ??= JSON.stringify(this.frameObject(this.event));
    return this.frameText;
  }

  private frameObject(event: ConversationEvent): object {
    const { receipt } = event;
    if (!receipt) return { type: "message", inbox_seq: this.seq, message: messageView(event) };
    const frame: ReceiptFrame = {
      type: "receipt",
      inbox_seq: this.seq,
      conversation_id: event.conversationId,
      user_id: receipt.userId,
      delivered_seq: receipt.deliveredSeq,
      read_seq: receipt.readSeq,
    };
    return frame;
  }
}
