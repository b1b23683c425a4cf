import type { ConversationEvent } from "@parley/proto/parley/events/v1/events";
import { randomUUID } from "node:crypto";
import { SERVER_DEVICE_ID } from "../groups/membership-event.js";
import type { Watermarks } from "./watermarks.js";

export interface ReceiptEventFields {
  conversationId: string;
  userId: string;
  marks: Watermarks;
  /** The conversation's members now: the event's recipients. */
  memberIds: string[];
  membershipVersion: number;
}

/** A member's new watermarks as a log event, "sent" by that member. */
export function receiptEvent(fields: ReceiptEventFields, nowMs = Date.now()): ConversationEvent {
  const messageId = randomUUID();
  return {
    messageId,
    conversationId: fields.conversationId,
    seq: 0,
    senderId: fields.userId,
    senderDeviceId: SERVER_DEVICE_ID,
    clientMessageId: messageId,
    sentAtMs: nowMs,
    memberIds: fields.memberIds,
    membershipVersion: fields.membershipVersion,
    receipt: {
      userId: fields.userId,
      deliveredSeq: fields.marks.delivered,
      readSeq: fields.marks.read,
    },
  };
}
