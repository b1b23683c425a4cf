import type {
  GetConversationRequest,
  GetConversationResponse,
  ListMembersRequest,
  ListMembersResponse,
} from "@parley/proto/parley/history/v1/conversations";
import { conversationOf, memberOf } from "../domain/conversation-view.js";
import type { ConversationReader } from "../pg/conversation-reader.js";
import { notAMember, readRequest } from "./reader-access.js";

/** GetConversation: the conversation as one of its members sees it. */
export async function getConversation(
  reader: ConversationReader,
  request: GetConversationRequest,
): Promise<GetConversationResponse> {
  const { readerId, conversationId } = readRequest(request);
  const row = await reader.view(conversationId, readerId);
  if (!row || row.role === null) throw notAMember();
  return { conversation: conversationOf(row) };
}

/**
 * ListMembers: every member in one answer (a group holds at most the cap),
 * read in one statement so that the list and its version agree.
 */
export async function listMembers(
  reader: ConversationReader,
  request: ListMembersRequest,
): Promise<ListMembersResponse> {
  const { readerId, conversationId } = readRequest(request);
  const { members, version } = await reader.members(conversationId);
  if (!members.some((m) => m.user_id === readerId)) throw notAMember();
  return { members: members.map(memberOf), membershipVersion: version };
}
