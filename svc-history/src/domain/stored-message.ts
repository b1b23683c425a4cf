import { isGroupConversationId, isValidConversationId } from "@parley/common";
import { ConversationEvent, MediaAttachment } from "@parley/proto/parley/events/v1/events";
import { UnreadableEntryError } from "../errors.js";
import { toStoredMembership, type StoredMembership } from "./membership.js";

/** One conversation log entry as svc-history stores it. */
export interface StoredMessage {
  conversationId: string;
  /** The MESSAGES stream sequence: the entry's place in the conversation. */
  seq: number;
  messageId: string;
  senderId: string;
  senderDeviceId: string;
  clientMessageId: string;
  sentAt: Date;
  /** The text, or null for an event without a text payload ("" for media alone). */
  body: string | null;
  /** The media of a message, as the encoded MediaAttachment; null without. */
  media: Uint8Array | null;
  /** The membership change, or null for an event without one. */
  membership: StoredMembership | null;
  /**
   * Members named by the event. In a 1:1 conversation they become its
   * members; a group's members are kept by ConversationService instead.
   */
  memberIds: string[];
}

/** The last millisecond of the year 9999. */
const LATEST_SENT_AT_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * Decodes a log entry. The event's own seq is 0 in the log; the stream
 * sequence is its real position, so it is taken from the JetStream message.
 * Returns null for a receipt: the log carries it to members' devices, but
 * its watermarks are stored by RecordReceipts, so there is nothing to keep.
 * Throws UnreadableEntryError when the entry can never be stored.
 */
export function decodeLogEntry(data: Uint8Array, streamSeq: number): StoredMessage | null {
  let event: ConversationEvent;
  try {
    event = ConversationEvent.decode(data);
  } catch (err) {
    throw new UnreadableEntryError(streamSeq, "not a ConversationEvent", { cause: err });
  }
  if (event.receipt) return null;
  if (!isValidConversationId(event.conversationId)) {
    throw new UnreadableEntryError(streamSeq, "missing or malformed conversation_id");
  }
  // Postgres timestamps span far less than JavaScript dates; a value outside
  // years 1970..9999 would fail the whole batch on insert, forever.
  if (!(event.sentAtMs >= 0 && event.sentAtMs <= LATEST_SENT_AT_MS)) {
    throw new UnreadableEntryError(streamSeq, "sent_at_ms out of range");
  }
  const sentAt = new Date(event.sentAtMs);
  if (hasNul(event)) {
    throw new UnreadableEntryError(streamSeq, "a text field holds a NUL character");
  }
  return {
    conversationId: event.conversationId,
    seq: streamSeq,
    messageId: event.messageId,
    senderId: event.senderId,
    senderDeviceId: event.senderDeviceId,
    clientMessageId: event.clientMessageId,
    sentAt,
    body: event.text?.body ?? null,
    media: event.text?.media ? MediaAttachment.encode(event.text.media).finish() : null,
    membership: event.membership ? toStoredMembership(event.membership) : null,
    memberIds: event.memberIds,
  };
}

/** The kind of a conversation, read from its id's prefix. */
export function conversationKind(conversationId: string): "direct" | "group" {
  return isGroupConversationId(conversationId) ? "group" : "direct";
}

/**
 * Postgres text cannot hold U+0000. Such an entry would fail its batch on
 * every retry and stall the log, so it is refused here instead.
 */
function hasNul(event: ConversationEvent): boolean {
  const fields = [
    event.messageId,
    event.senderId,
    event.senderDeviceId,
    event.clientMessageId,
    event.text?.body ?? "",
    event.text?.media?.fileName ?? "",
    ...event.memberIds,
    event.membership?.actorId ?? "",
    event.membership?.title ?? "",
    ...(event.membership?.userIds ?? []),
  ];
  return fields.some((f) => f.includes("\0"));
}
