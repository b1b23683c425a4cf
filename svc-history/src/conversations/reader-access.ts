import { ParleyError, requireId } from "@parley/common";
import { requireConversationId } from "../domain/group-request.js";

// One reason for "not a member" and "no such conversation", so a caller
// cannot tell which conversation ids exist (as GetHistory answers).
export const NOT_A_MEMBER = "not a member of the conversation";

/** A validated (reader, conversation) pair of a read request. */
export function readRequest(request: { readerId: string; conversationId: string }): {
  readerId: string;
  conversationId: string;
} {
  return {
    readerId: requireId("reader_id", request.readerId),
    conversationId: requireConversationId(request.conversationId),
  };
}

export function notAMember(): ParleyError {
  return ParleyError.denied(NOT_A_MEMBER);
}
