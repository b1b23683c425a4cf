import {
  groupTitleProblem,
  isGroupConversationId,
  isValidConversationId,
  ParleyError,
  requireId,
} from "@parley/common";

/** Returns the title, or throws INVALID_ARGUMENT (see groupTitleProblem). */
export function requireTitle(title: string): string {
  const problem = groupTitleProblem(title);
  if (problem !== null) throw ParleyError.invalid(problem);
  return title;
}

/** Returns the conversation id if it names a group, or throws INVALID_ARGUMENT. */
export function requireGroupId(conversationId: string): string {
  if (!isValidConversationId(conversationId)) {
    throw ParleyError.invalid("conversation_id is malformed");
  }
  if (!isGroupConversationId(conversationId)) {
    throw ParleyError.invalid("conversation_id does not name a group");
  }
  return conversationId;
}

/** Returns the conversation id if well-formed (a 1:1 or a group), or throws INVALID_ARGUMENT. */
export function requireConversationId(conversationId: string): string {
  if (!isValidConversationId(conversationId)) {
    throw ParleyError.invalid("conversation_id is malformed");
  }
  return conversationId;
}

/**
 * Returns the ids if each is well-formed and none repeats, or throws
 * INVALID_ARGUMENT naming the field (a repeat is refused, not merged: it
 * usually means the caller built the list wrongly).
 */
export function requireIdList(field: string, ids: string[]): string[] {
  const seen = new Set<string>();
  for (const id of ids) {
    requireId(field, id);
    if (seen.has(id)) throw ParleyError.invalid(`${field} lists ${id} more than once`);
    seen.add(id);
  }
  return ids;
}
