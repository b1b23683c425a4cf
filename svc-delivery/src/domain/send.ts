import {
  directConversationId,
  isGroupConversationId,
  isMediaId,
  isValidConversationId,
  nameBasedUuid,
  ParleyError,
  requireId,
} from "@parley/common";
import type { SendMessageRequest } from "@parley/proto/parley/delivery/v1/delivery";

/** A send that passed validation, ready to append to the log. */
export interface ValidSend {
  senderId: string;
  senderDeviceId: string;
  clientMessageId: string;
  /** The other participant of a 1:1 send; null for a group send. */
  recipientId: string | null;
  conversationId: string;
  /** The text; "" for media without a caption. */
  body: string;
  /** The media to attach (svc-media's id), or null for text alone. */
  mediaId: string | null;
  /** Sender, device and client message id: the same send, however often retried. */
  idempotencyKey: string;
  /** Server message id, derived from the idempotency key (common's nameBasedUuid). */
  messageId: string;
}

/**
 * Checks a send (1:1 or group) and derives what the log needs. Throws an
 * invalid-argument ParleyError whose reason names the bad field. Whether a
 * group sender is a member is not a question of shape: the send path asks
 * the membership cache after this.
 */
export function validateSend(request: SendMessageRequest, maxBodyBytes: number): ValidSend {
  const senderId = requireId("sender_id", request.senderId);
  const senderDeviceId = requireId("sender_device_id", request.senderDeviceId);
  const clientMessageId = requireId("client_message_id", request.clientMessageId);
  const { recipientId, conversationId } = validateTarget(request, senderId);
  const mediaId = request.mediaId === "" ? null : validateMediaId(request.mediaId);
  const body =
    mediaId !== null && request.body === "" ? "" : validateBody(request.body, maxBodyBytes);
  const idempotencyKey = `${senderId}:${senderDeviceId}:${clientMessageId}`;
  return {
    senderId,
    senderDeviceId,
    clientMessageId,
    recipientId,
    conversationId,
    body,
    mediaId,
    idempotencyKey,
    messageId: nameBasedUuid(idempotencyKey),
  };
}

/** Exactly one of recipient_id (1:1) and conversation_id (group). */
function validateTarget(
  request: SendMessageRequest,
  senderId: string,
): { recipientId: string | null; conversationId: string } {
  const hasRecipient = request.recipientId !== "";
  const hasConversation = request.conversationId !== "";
  if (hasRecipient && hasConversation) {
    throw ParleyError.invalid("give recipient_id (1:1) or conversation_id (group), not both");
  }
  if (!hasRecipient && !hasConversation) {
    throw ParleyError.invalid("give recipient_id (1:1) or conversation_id (group)");
  }
  if (hasConversation) {
    const conversationId = request.conversationId;
    // A 1:1 conversation is addressed by its peer, so that its id is never
    // trusted from the caller; only group ids are accepted here.
    if (!isValidConversationId(conversationId) || !isGroupConversationId(conversationId)) {
      throw ParleyError.invalid(
        "conversation_id must be a group id (g_...); use recipient_id for 1:1",
      );
    }
    return { recipientId: null, conversationId };
  }
  const recipientId = requireId("recipient_id", request.recipientId);
  if (recipientId === senderId) throw ParleyError.invalid("recipient_id must not be the sender");
  return { recipientId, conversationId: directConversationId(senderId, recipientId) };
}

function validateMediaId(mediaId: string): string {
  if (!isMediaId(mediaId)) {
    throw ParleyError.invalid("media_id must be a media id (a lower-case UUID)");
  }
  return mediaId;
}

function validateBody(body: string, maxBytes: number): string {
  if (body.length === 0) throw ParleyError.invalid("body must not be empty without media");
  // A lone surrogate would be silently replaced on its way into protobuf.
  if (!body.isWellFormed()) throw ParleyError.invalid("body is not valid UTF-8 text");
  // Postgres text cannot hold NUL; history would have to drop the message.
  if (body.includes("\0")) throw ParleyError.invalid("body must not contain NUL characters");
  const bytes = Buffer.byteLength(body, "utf8");
  if (bytes > maxBytes) {
    throw ParleyError.invalid(`body is ${bytes} bytes, over the limit of ${maxBytes}`);
  }
  return body;
}
