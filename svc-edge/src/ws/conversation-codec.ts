import { groupTitleProblem } from "@parley/common";
import { RequestError } from "../errors.js";
import {
  optionalLimit,
  requireConversationId,
  requireGroupId,
  requireIdField,
  requirePositiveSeq,
  requireText,
  requireUserIds,
  type CodecLimits,
  type Fields,
} from "./fields.js";
import type {
  AddMembersFrame,
  CreateGroupFrame,
  GetConversationFrame,
  LeaveGroupFrame,
  ListConversationsFrame,
  ListMembersFrame,
  ReadFrame,
  RemoveMemberFrame,
} from "./frames.js";

/** Largest page a list_conversations request may ask for (svc-history lowers it to its cap). */
export const MAX_CONVERSATIONS_LIMIT = 500;
/** Page tokens are svc-history's, opaque and short; this only bounds garbage. */
const MAX_PAGE_TOKEN_CHARS = 1_024;

/** Parsers of the group, conversation and receipt frames (see codec.ts). */
export const conversationParsers = {
  create_group: parseCreateGroup,
  add_members: parseAddMembers,
  remove_member: parseRemoveMember,
  leave_group: parseLeaveGroup,
  get_conversation: parseGetConversation,
  list_members: parseListMembers,
  list_conversations: parseListConversations,
  read: parseRead,
};

function parseCreateGroup(f: Fields, limits: CodecLimits): CreateGroupFrame {
  const id = requireIdField(f, "id", undefined);
  const title = requireTitle(f, id);
  // A group of one (the creator alone) needs no members field at all.
  const members =
    f.members === undefined ? [] : requireUserIds(f, "members", id, limits.maxUserIds, true);
  return { type: "create_group", id, title, members };
}

function parseAddMembers(f: Fields, limits: CodecLimits): AddMembersFrame {
  const id = requireIdField(f, "id", undefined);
  const conversationId = requireGroupId(f, id);
  const userIds = requireUserIds(f, "user_ids", id, limits.maxUserIds);
  return { type: "add_members", id, conversation_id: conversationId, user_ids: userIds };
}

function parseRemoveMember(f: Fields): RemoveMemberFrame {
  const id = requireIdField(f, "id", undefined);
  const conversationId = requireGroupId(f, id);
  const userId = requireIdField(f, "user_id", id);
  return { type: "remove_member", id, conversation_id: conversationId, user_id: userId };
}

function parseLeaveGroup(f: Fields): LeaveGroupFrame {
  const id = requireIdField(f, "id", undefined);
  return { type: "leave_group", id, conversation_id: requireGroupId(f, id) };
}

function parseGetConversation(f: Fields): GetConversationFrame {
  const id = requireIdField(f, "id", undefined);
  return { type: "get_conversation", id, conversation_id: requireConversationId(f, id) };
}

function parseListMembers(f: Fields): ListMembersFrame {
  const id = requireIdField(f, "id", undefined);
  return { type: "list_members", id, conversation_id: requireConversationId(f, id) };
}

function parseListConversations(f: Fields): ListConversationsFrame {
  const id = requireIdField(f, "id", undefined);
  const frame: ListConversationsFrame = { type: "list_conversations", id };
  const limit = optionalLimit(f, id, MAX_CONVERSATIONS_LIMIT);
  if (limit !== undefined) frame.limit = limit;
  if (f.page_token !== undefined) {
    const token = f.page_token;
    if (typeof token !== "string" || token.length > MAX_PAGE_TOKEN_CHARS) {
      throw RequestError.invalid("page_token must be the next_page_token of the previous page", id);
    }
    // "" is the first page, as if absent.
    if (token !== "") frame.page_token = token;
  }
  return frame;
}

function parseRead(f: Fields): ReadFrame {
  const id = requireIdField(f, "id", undefined);
  const conversationId = requireConversationId(f, id);
  return {
    type: "read",
    id,
    conversation_id: conversationId,
    seq: requirePositiveSeq(f, "seq", id),
  };
}

/** A title as svc-history will take it (common's groupTitleProblem). */
function requireTitle(f: Fields, id: string): string {
  const title = requireText(f, "title", id);
  const problem = groupTitleProblem(title);
  if (problem !== null) throw RequestError.invalid(problem, id);
  return title;
}
