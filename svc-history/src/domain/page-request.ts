import { isValidConversationId, ParleyError, requireId } from "@parley/common";
import type { GetHistoryRequest } from "@parley/proto/parley/history/v1/history";
import type { PageCursor } from "../pg/history-reader.js";

export interface PageLimits {
  /** Page size when the request asks for none. */
  defaultLimit: number;
  /** Largest page; bigger requests are lowered to it. */
  maxLimit: number;
}

/** A validated GetHistory request. */
export interface PageRequest {
  readerId: string;
  conversationId: string;
  cursor: PageCursor;
  limit: number;
}

/** Validates a GetHistory request; throws INVALID_ARGUMENT naming the field. */
export function parsePageRequest(request: GetHistoryRequest, limits: PageLimits): PageRequest {
  const readerId = requireId("reader_id", request.readerId);
  if (!isValidConversationId(request.conversationId)) {
    throw ParleyError.invalid(
      "conversation_id must be a letter, '_' and 1 to 64 characters of A-Z, a-z, 0-9, '_' or '-'",
    );
  }
  if (request.beforeSeq > 0 && request.afterSeq > 0) {
    throw ParleyError.invalid("before_seq and after_seq cannot both be set");
  }
  if (request.beforeSeq > 0 && request.fromOldest) {
    throw ParleyError.invalid("from_oldest cannot be combined with before_seq");
  }
  const limit = request.limit === 0 ? limits.defaultLimit : request.limit;
  return {
    readerId,
    conversationId: request.conversationId,
    cursor: cursorOf(request),
    limit: Math.min(limit, limits.maxLimit),
  };
}

function cursorOf(request: GetHistoryRequest): PageCursor {
  if (request.beforeSeq > 0) return { kind: "before", seq: request.beforeSeq };
  if (request.afterSeq > 0) return { kind: "after", seq: request.afterSeq };
  // Seqs start at 1, so "after 0" is the oldest page.
  if (request.fromOldest) return { kind: "after", seq: 0 };
  return { kind: "newest" };
}
