import {
  type ConversationEvent,
  type MembershipChange,
} from "@parley/proto/parley/events/v1/events";

/** The device id of events svc-history writes itself, not a user's device. */
export const SERVER_DEVICE_ID = "server";

export interface MembershipEventFields {
  conversationId: string;
  messageId: string;
  change: MembershipChange;
  /** Every member after the change: the event's recipients. */
  memberIds: string[];
  /** The membership version the change creates. */
  membershipVersion: number;
  sentAtMs: number;
}

/**
 * A membership change as a log event, sent by its actor. The event id is
 * also the client message id: there is no client send to name it.
 */
export function membershipEvent(fields: MembershipEventFields): ConversationEvent {
  return {
    messageId: fields.messageId,
    conversationId: fields.conversationId,
    seq: 0,
    senderId: fields.change.actorId,
    senderDeviceId: SERVER_DEVICE_ID,
    clientMessageId: fields.messageId,
    sentAtMs: fields.sentAtMs,
    memberIds: fields.memberIds,
    membershipVersion: fields.membershipVersion,
    membership: fields.change,
  };
}
