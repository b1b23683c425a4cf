import { ErrorCode, isValidConversationId, isValidId } from "@parley/common";
import type { ReceiptUpdate } from "@parley/proto/parley/history/v1/conversations";
import type { Watermarks } from "./watermarks.js";

export interface ValidUpdate {
  userId: string;
  conversationId: string;
  requested: Watermarks;
}

export interface UpdateError {
  code: ErrorCode;
  reason: string;
}

/**
 * Checks one update's shape. Errors are values, not throws: each update of
 * a call fails on its own (conversations.proto, RecordReceipts).
 */
export function validateUpdate(update: ReceiptUpdate): ValidUpdate | UpdateError {
  if (!isValidId(update.userId)) {
    return invalid("user_id must be 1 to 64 characters of A-Z, a-z, 0-9, '_' or '-'");
  }
  if (!isValidConversationId(update.conversationId)) return invalid("conversation_id is malformed");
  // uint64 arrives as a JavaScript number; above 2^53 it is no longer exact.
  for (const [field, value] of [
    ["delivered_seq", update.deliveredSeq],
    ["read_seq", update.readSeq],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 0) return invalid(`${field} is out of range`);
  }
  return {
    userId: update.userId,
    conversationId: update.conversationId,
    requested: { delivered: update.deliveredSeq, read: update.readSeq },
  };
}

export function isUpdateError(value: ValidUpdate | UpdateError): value is UpdateError {
  return "code" in value;
}

function invalid(reason: string): UpdateError {
  return { code: ErrorCode.InvalidArgument, reason };
}
