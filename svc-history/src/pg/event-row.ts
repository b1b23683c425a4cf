import { MediaAttachment, type ConversationEvent } from "@parley/proto/parley/events/v1/events";
import { fromStoredMembership, type StoredMembership } from "../domain/membership.js";

/** A `messages` row as the readers select it (EVENT_COLUMNS). */
export interface EventRow {
  conversation_id: string;
  seq: string;
  message_id: string;
  sender_id: string;
  sender_device_id: string;
  client_message_id: string;
  sent_at: Date;
  body: string | null;
  membership: StoredMembership | null;
  media: Buffer | null;
}

export const EVENT_COLUMNS = `conversation_id, seq, message_id, sender_id, sender_device_id,
  client_message_id, sent_at, body, membership, media`;

/**
 * A stored event as readers return it. `member_ids` stays empty and the
 * membership version 0: membership is state of the conversation, not of
 * each stored event (see GetHistoryResponse).
 */
export function eventOfRow(row: EventRow): ConversationEvent {
  return {
    messageId: row.message_id,
    conversationId: row.conversation_id,
    seq: Number(row.seq),
    senderId: row.sender_id,
    senderDeviceId: row.sender_device_id,
    clientMessageId: row.client_message_id,
    sentAtMs: row.sent_at.getTime(),
    memberIds: [],
    membershipVersion: 0,
    text:
      row.body === null
        ? undefined
        : {
            body: row.body,
            media: row.media === null ? undefined : MediaAttachment.decode(row.media),
          },
    membership: row.membership === null ? undefined : fromStoredMembership(row.membership),
  };
}
