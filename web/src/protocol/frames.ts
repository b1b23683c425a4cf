/**
 * The frames of the client protocol this client uses, as documented in
 * docs/protocol.md. Field names are kept as they are on the wire.
 */

/** Media as `upload_done` answers it and messages carry it. */
export interface Media {
  media_id: string;
  content_type: string;
  size: number;
  sha256: string;
  file_name?: string;
  width?: number;
  height?: number;
  /** A small JPEG preview of an image, base64. */
  thumbnail?: string;
  thumbnail_width?: number;
  thumbnail_height?: number;
}

export const MembershipAction = {
  Created: "created",
  Added: "added",
  Removed: "removed",
  Left: "left",
  Promoted: "promoted",
} as const;

export interface Membership {
  action: string;
  actor: string;
  user_ids: string[];
  title?: string;
}

/** A message or a membership change, live or from a history page. */
export interface Message {
  id: string;
  conversation_id: string;
  seq: number;
  from: string;
  from_device: string;
  client_id: string;
  sent_at: number;
  body?: string;
  membership?: Membership;
  media?: Media;
}

export type ConversationKind = "direct" | "group";

export interface Conversation {
  conversation_id: string;
  kind: ConversationKind;
  title?: string;
  created_by?: string;
  created_at: number;
  member_count: number;
  membership_version: number;
  peer_id?: string;
  role: "admin" | "member";
}

export interface ConversationSummary {
  conversation: Conversation;
  last_message?: Message;
  unread_count: number;
  last_activity: number;
  delivered_seq: number;
  read_seq: number;
}

export interface Member {
  user_id: string;
  role: "admin" | "member";
  joined_seq: number;
  delivered_seq: number;
  read_seq: number;
}

export interface PresenceState {
  user_id: string;
  online: boolean;
  last_seen?: number;
}

export interface UploadGrant {
  method: string;
  url: string;
  headers: Record<string, string>;
  expires_at: number;
}

/** Frames the server sends. Answers echo the request's `id`. */
export type ServerFrame =
  | {
      type: "welcome";
      user_id: string;
      device_id: string;
      conn_id: string;
      heartbeat_ms: number;
      max_frame_bytes: number;
      max_body_bytes: number;
      sends_per_second: number;
      send_burst: number;
    }
  | { type: "message"; inbox_seq: number; message: Message }
  | {
      type: "receipt";
      inbox_seq: number;
      conversation_id: string;
      user_id: string;
      delivered_seq: number;
      read_seq: number;
    }
  | { type: "caught_up"; inbox_seq: number }
  | { type: "typing"; conversation_id: string; user_id: string; expires_in_ms: number }
  | { type: "presence"; id?: string; users: PresenceState[]; not_visible?: string[] }
  | { type: "error"; id?: string; code: string; reason: string }
  | { type: "pong"; id?: string }
  | {
      type: "sent";
      id: string;
      message_id: string;
      conversation_id: string;
      seq: number;
      sent_at: number;
      duplicate: boolean;
    }
  | { type: "history"; id: string; messages: Message[]; has_more: boolean }
  | { type: "group_created"; id: string; conversation: Conversation; created: boolean }
  | { type: "members_changed"; id: string; conversation: Conversation; events: Message[] }
  | { type: "conversation"; id: string; conversation: Conversation }
  | {
      type: "members";
      id: string;
      conversation_id: string;
      membership_version: number;
      members: Member[];
    }
  | {
      type: "conversations";
      id: string;
      conversations: ConversationSummary[];
      next_page_token?: string;
    }
  | {
      type: "watermarks";
      id: string;
      conversation_id: string;
      delivered_seq: number;
      read_seq: number;
    }
  | { type: "upload_grant"; id: string; media: Media; upload: UploadGrant }
  | { type: "media"; id: string; media: Media }
  | { type: "download_url"; id: string; media_id: string; url: string; expires_at: number };

export type ServerFrameOf<T extends ServerFrame["type"]> = Extract<ServerFrame, { type: T }>;

/** A request frame: any client frame with an `id` the answer echoes. */
export type Request = { type: string; id: string } & Record<string, unknown>;

/** Error codes of error frames (docs/protocol.md, "Error frame"). */
export const ErrorCode = {
  InvalidArgument: "invalid_argument",
  PermissionDenied: "permission_denied",
  NotFound: "not_found",
  FailedPrecondition: "failed_precondition",
  RateLimited: "rate_limited",
  Unavailable: "unavailable",
  Internal: "internal",
} as const;

/** Close codes the client acts on (docs/protocol.md, "Close codes"). */
export const CloseCode = {
  GoingAway: 1001,
  TooBig: 1009,
  ServerError: 1011,
  SlowConsumer: 4008,
  BadHello: 4400,
  Unauthenticated: 4401,
  DeviceRefused: 4403,
  HelloTimeout: 4408,
  Replaced: 4409,
  RateLimited: 4429,
} as const;
