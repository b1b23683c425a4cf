import type { ConversationClient } from "../grpc/conversation-client.js";
import type { Connection } from "../ws/connection.js";
import type {
  AddMembersFrame,
  CreateGroupFrame,
  GetConversationFrame,
  LeaveGroupFrame,
  ListConversationsFrame,
  ListMembersFrame,
  RemoveMemberFrame,
} from "../ws/frames.js";
import { conversationView, memberView, messageView, summaryView } from "../ws/views.js";

/**
 * Group and conversation requests, forwarded to svc-history's
 * ConversationService as the connection's user, which the edge vouches for.
 */

/** The frame's id is the request id of CreateGroup, so a retry names the same group. */
export async function handleCreateGroup(
  conn: Connection,
  frame: CreateGroupFrame,
  conversations: ConversationClient,
): Promise<void> {
  const res = await conversations.createGroup({
    creatorId: conn.deviceSession.identity.userId,
    clientRequestId: frame.id,
    title: frame.title,
    memberIds: frame.members,
  });
  conn.send({
    type: "group_created",
    id: frame.id,
    conversation: conversationView(res.conversation),
    created: res.created,
  });
}

export async function handleAddMembers(
  conn: Connection,
  frame: AddMembersFrame,
  conversations: ConversationClient,
): Promise<void> {
  const res = await conversations.addMembers({
    actorId: conn.deviceSession.identity.userId,
    conversationId: frame.conversation_id,
    userIds: frame.user_ids,
  });
  sendMembersChanged(conn, frame.id, res);
}

export async function handleRemoveMember(
  conn: Connection,
  frame: RemoveMemberFrame,
  conversations: ConversationClient,
): Promise<void> {
  const res = await conversations.removeMember({
    actorId: conn.deviceSession.identity.userId,
    conversationId: frame.conversation_id,
    userId: frame.user_id,
  });
  sendMembersChanged(conn, frame.id, res);
}

export async function handleLeaveGroup(
  conn: Connection,
  frame: LeaveGroupFrame,
  conversations: ConversationClient,
): Promise<void> {
  const res = await conversations.leaveGroup({
    userId: conn.deviceSession.identity.userId,
    conversationId: frame.conversation_id,
  });
  sendMembersChanged(conn, frame.id, res);
}

export async function handleGetConversation(
  conn: Connection,
  frame: GetConversationFrame,
  conversations: ConversationClient,
): Promise<void> {
  const res = await conversations.getConversation({
    readerId: conn.deviceSession.identity.userId,
    conversationId: frame.conversation_id,
  });
  conn.send({
    type: "conversation",
    id: frame.id,
    conversation: conversationView(res.conversation),
  });
}

export async function handleListMembers(
  conn: Connection,
  frame: ListMembersFrame,
  conversations: ConversationClient,
): Promise<void> {
  const res = await conversations.listMembers({
    readerId: conn.deviceSession.identity.userId,
    conversationId: frame.conversation_id,
  });
  conn.send({
    type: "members",
    id: frame.id,
    conversation_id: frame.conversation_id,
    membership_version: res.membershipVersion,
    members: res.members.map(memberView),
  });
}

export async function handleListConversations(
  conn: Connection,
  frame: ListConversationsFrame,
  conversations: ConversationClient,
): Promise<void> {
  const res = await conversations.listConversations({
    userId: conn.deviceSession.identity.userId,
    limit: frame.limit ?? 0,
    pageToken: frame.page_token ?? "",
  });
  conn.send({
    type: "conversations",
    id: frame.id,
    conversations: res.conversations.map(summaryView),
    ...(res.nextPageToken === "" ? {} : { next_page_token: res.nextPageToken }),
  });
}

type MembershipAnswer = Awaited<ReturnType<ConversationClient["addMembers"]>>;

function sendMembersChanged(conn: Connection, id: string, res: MembershipAnswer): void {
  conn.send({
    type: "members_changed",
    id,
    conversation: conversationView(res.conversation),
    events: res.events.map(messageView),
  });
}
