import {
  isGroupConversationId,
  isValidConversationId,
  ParleyError,
  requireId,
} from "@parley/common";

const TITLE_MAX_CHARS = 100;

/**
 * Returns the title, or throws INVALID_ARGUMENT: 1 to 100 characters
 * (code points), no control characters (they break one-line displays and
 * logs), not blank. Protobuf decoding already replaced invalid UTF-8; a
 * lone surrogate is what remains to refuse.
 */
export function requireTitle(title: string): string {
  const chars = [...title].length;
  if (chars === 0 || chars > TITLE_MAX_CHARS) {
    throw ParleyError.invalid(`title must be 1 to ${TITLE_MAX_CHARS} characters`);
  }
  if (!title.isWellFormed()) throw ParleyError.invalid("title is not valid UTF-8");
  if (/\p{Cc}/u.test(title)) throw ParleyError.invalid("title must not hold control characters");
  if (title.trim() === "") throw ParleyError.invalid("title must not be blank");
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
