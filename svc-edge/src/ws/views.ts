import { ErrorCode, ParleyError } from "@parley/common";
import {
  MembershipChange_Action,
  type ConversationEvent,
  type MediaAttachment,
  type MembershipChange,
} from "@parley/proto/parley/events/v1/events";
import {
  ConversationKind,
  Role,
  type Conversation,
  type ConversationSummary,
  type Member,
} from "@parley/proto/parley/history/v1/conversations";
import type { Media } from "@parley/proto/parley/media/v1/media";
import type {
  ConversationSummaryView,
  ConversationView,
  MemberView,
  MembershipAction,
  MediaView,
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
  if (event.text?.media) view.media = mediaView(event.text.media);
  if (event.membership) view.membership = membershipView(event.membership);
  return view;
}

/** Media of a message; the zero values of non-images are left out. */
export function mediaView(media: MediaAttachment): MediaView {
  const view: MediaView = {
    media_id: media.mediaId,
    content_type: media.contentType,
    size: media.sizeBytes,
    sha256: media.sha256,
  };
  if (media.fileName) view.file_name = media.fileName;
  if (media.width) view.width = media.width;
  if (media.height) view.height = media.height;
  if (media.thumbnailJpeg.length > 0) {
    view.thumbnail = Buffer.from(media.thumbnailJpeg).toString("base64");
    view.thumbnail_width = media.thumbnailWidth;
    view.thumbnail_height = media.thumbnailHeight;
  }
  return view;
}

/** svc-media's description of an upload, in the shape messages carry. */
export function mediaViewOfMedia(media: Media): MediaView {
  return mediaView({
    mediaId: media.mediaId,
    contentType: media.contentType,
    sizeBytes: media.sizeBytes,
    sha256: media.sha256,
    fileName: media.fileName,
    width: media.width,
    height: media.height,
    thumbnailJpeg: media.thumbnail?.jpeg ?? Buffer.alloc(0),
    thumbnailWidth: media.thumbnail?.width ?? 0,
    thumbnailHeight: media.thumbnail?.height ?? 0,
  });
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
