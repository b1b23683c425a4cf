import {
  requireConversationId,
  requireIdField,
  requireUserIds,
  type CodecLimits,
  type Fields,
} from "./fields.js";
import type { TypingFrame, WatchPresenceFrame } from "./frames.js";

/** Parsers of the presence and typing frames (see codec.ts). */
export const presenceParsers = {
  watch_presence: parseWatchPresence,
  typing: parseTyping,
};

function parseWatchPresence(f: Fields, limits: CodecLimits): WatchPresenceFrame {
  const id = requireIdField(f, "id", undefined);
  // An empty list stops watching.
  const userIds = requireUserIds(f, "user_ids", id, limits.maxWatchedUsers, true);
  return { type: "watch_presence", id, user_ids: userIds };
}

/** The id is optional: typing is fire and forget, answered only when refused. */
function parseTyping(f: Fields): TypingFrame {
  const id = f.id === undefined ? undefined : requireIdField(f, "id", undefined);
  const conversationId = requireConversationId(f, id);
  return id === undefined
    ? { type: "typing", conversation_id: conversationId }
    : { type: "typing", id, conversation_id: conversationId };
}
