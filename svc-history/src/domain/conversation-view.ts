import {
  ConversationKind,
  Role,
  type Conversation,
  type Member,
} from "@parley/proto/parley/history/v1/conversations";
import type { ConversationRow, MemberRow } from "../pg/conversation-reader.js";

const ROLES = { admin: Role.ROLE_ADMIN, member: Role.ROLE_MEMBER } as const;

/** The API view of a conversation row; the role is ROLE_UNSPECIFIED for a non-member. */
export function conversationOf(row: ConversationRow): Conversation {
  const group = row.kind === "group";
  return {
    conversationId: row.conversation_id,
    kind: group
      ? ConversationKind.CONVERSATION_KIND_GROUP
      : ConversationKind.CONVERSATION_KIND_DIRECT,
    title: row.title ?? "",
    createdBy: row.created_by ?? "",
    createdAtMs: row.created_at.getTime(),
    memberCount: Number(row.member_count),
    membershipVersion: Number(row.membership_version),
    peerId: group ? "" : (row.peer_id ?? ""),
    role: row.role === null ? Role.ROLE_UNSPECIFIED : ROLES[row.role],
  };
}

export function memberOf(row: MemberRow): Member {
  return {
    userId: row.user_id,
    role: ROLES[row.role],
    joinedSeq: Number(row.joined_seq),
    deliveredSeq: Number(row.delivered_seq),
    readSeq: Number(row.read_seq),
  };
}
