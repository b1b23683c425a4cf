import { directConversationId, ParleyError, requireId } from "@parley/common";
import type { SendMessageRequest } from "@parley/proto/parley/delivery/v1/delivery";
import { createHash } from "node:crypto";

/** A send that passed validation, ready to append to the log. */
export interface ValidSend {
  senderId: string;
  senderDeviceId: string;
  clientMessageId: string;
  recipientId: string;
  conversationId: string;
  body: string;
  /** Sender, device and client message id: the same send, however often retried. */
  idempotencyKey: string;
  /** Server message id, derived from the idempotency key (see messageIdFor). */
  messageId: string;
}

/**
 * Checks a 1:1 send and derives what the log needs. Throws an
 * invalid-argument ParleyError whose reason names the bad field.
 */
export function validateSend(request: SendMessageRequest, maxBodyBytes: number): ValidSend {
  const senderId = requireId("sender_id", request.senderId);
  const senderDeviceId = requireId("sender_device_id", request.senderDeviceId);
  const clientMessageId = requireId("client_message_id", request.clientMessageId);
  const recipientId = requireId("recipient_id", request.recipientId);
  if (recipientId === senderId) throw ParleyError.invalid("recipient_id must not be the sender");
  const body = validateBody(request.body, maxBodyBytes);
  const idempotencyKey = `${senderId}:${senderDeviceId}:${clientMessageId}`;
  return {
    senderId,
    senderDeviceId,
    clientMessageId,
    recipientId,
    conversationId: directConversationId(senderId, recipientId),
    body,
    idempotencyKey,
    messageId: messageIdFor(idempotencyKey),
  };
}

function validateBody(body: string, maxBytes: number): string {
  if (body.length === 0) throw ParleyError.invalid("body must not be empty");
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

/**
 * The server id of a send: a UUID (version 8, "custom") hashed from the
 * idempotency key. A retry therefore carries the first send's id without a
 * lookup, even after the original left the transit log.
 */
export function messageIdFor(idempotencyKey: string): string {
  const hex = createHash("sha256").update(idempotencyKey).digest("hex").slice(0, 32).split("");
  hex[12] = "8";
  hex[16] = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const s = hex.join("");
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}
