import { ErrorCode, ParleyError } from "@parley/common";
import {
  MembershipChange_Action,
  type ConversationEvent,
  type MembershipChange,
} from "@parley/proto/parley/events/v1/events";
import {
  ConversationKind,
  Role,
  type Conversation,
  type ConversationSummary,
  type Member,
} from "@parley/proto/parley/history/v1/conversations";
import type {
  ConversationSummaryView,
  ConversationView,
  MemberView,
  MembershipAction,
  MembershipView,
  MessageView,
} from "./frames.js";

/**
 * The client-facing shapes of the services' messages (docs/protocol.md):
 * snake_case, ms timestamps without the unit suffix, enums as words, and
 * empty optional strings left out.
 */

const ACTIONS: Partial<Record<MembershipChange_Action, MembershipAction>> = {
  [MembershipChange_Action.ACTION_CREATED]: "created",
  [MembershipChange_Action.ACTION_ADDED]: "added",
  [MembershipChange_Action.ACTION_REMOVED]: "removed",
  [MembershipChange_Action.ACTION_LEFT]: "left",
  [MembershipChange_Action.ACTION_PROMOTED]: "promoted",
};

/** A stored or live conversation event (text or membership change). */
export function messageView(event: ConversationEvent): MessageView {
  const view: MessageView = {
    id: event.messageId,
    conversation_id: event.conversationId,
    seq: event.seq,
    from: event.senderId,
    from_device: event.senderDeviceId,
    client_id: event.clientMessageId,
    sent_at: event.sentAtMs,
  };
  if (event.text) view.body = event.text.body;
  if (event.membership) view.membership = membershipView(event.membership);
  return view;
}

function membershipView(change: MembershipChange): MembershipView {
  const view: MembershipView = {
    // A newer server's action this edge does not know yet: say so rather
    // than drop the event, whose seq the client still needs.
    action: ACTIONS[change.action] ?? "unknown",
    actor: change.actorId,
    user_ids: change.userIds,
  };
  if (change.title !== "") view.title = change.title;
  return view;
}

export function conversationView(conversation: Conversation | undefined): ConversationView {
  // A message field is optional in proto3; svc-history always sets it.
  if (!conversation) throw new ParleyError(ErrorCode.Internal, "answer without a conversation");
  const view: ConversationView = {
    conversation_id: conversation.conversationId,
    kind: conversation.kind === ConversationKind.CONVERSATION_KIND_GROUP ? "group" : "direct",
    created_at: conversation.createdAtMs,
    member_count: conversation.memberCount,
    membership_version: conversation.membershipVersion,
    role: roleView(conversation.role),
  };
  if (conversation.title !== "") view.title = conversation.title;
  if (conversation.createdBy !== "") view.created_by = conversation.createdBy;
  if (conversation.peerId !== "") view.peer_id = conversation.peerId;
  return view;
}

export function memberView(member: Member): MemberView {
  return {
    user_id: member.userId,
    role: roleView(member.role),
    joined_seq: member.joinedSeq,
    delivered_seq: member.deliveredSeq,
    read_seq: member.readSeq,
  };
}

export function summaryView(summary: ConversationSummary): ConversationSummaryView {
  const view: ConversationSummaryView = {
    conversation: conversationView(summary.conversation),
    unread_count: summary.unreadCount,
    last_activity: summary.lastActivityMs,
    delivered_seq: summary.deliveredSeq,
    read_seq: summary.readSeq,
  };
  if (summary.lastEvent) view.last_message = messageView(summary.lastEvent);
  return view;
}

function roleView(role: Role): "admin" | "member" {
  return role === Role.ROLE_ADMIN ? "admin" : "member";
}
