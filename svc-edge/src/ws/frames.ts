/**
 * The JSON frames of the client protocol (docs/protocol.md). Field names are
 * kept exactly as they appear on the wire.
 */

/** The first frame of every connection. */
export interface HelloFrame {
  type: "hello";
  token: string;
}

/**
 * Sends a message to one user (`to`) or a group (`conversation_id`): text,
 * media (an uploaded `media_id`, the body then an optional caption), or both.
 */
export interface SendFrame {
  type: "send";
  /** The client's message id: idempotency key of the send. */
  id: string;
  /** Exactly one of `to` and `conversation_id` is set. */
  to?: string;
  conversation_id?: string;
  /** The text; "" only with media. */
  body: string;
  media_id?: string;
  /** The client resends a send it got no `sent` for (see docs/protocol.md). */
  retry: boolean;
}

/** Cumulative delivery ack: every inbox entry up to inbox_seq arrived. */
export interface AckFrame {
  type: "ack";
  inbox_seq: number;
}

export interface PingFrame {
  type: "ping";
  id?: string;
}

/** Asks for one page of a conversation's stored messages. */
export interface HistoryRequestFrame {
  type: "history";
  id: string;
  conversation_id: string;
  before_seq?: number;
  after_seq?: number;
  limit?: number;
  /** With neither cursor, the oldest page instead of the newest. */
  from_oldest?: boolean;
}

/** Lists the user's linked devices. */
export interface DevicesRequestFrame {
  type: "devices";
  id: string;
}

/** Unlinks one of the user's devices (frees its slot, deletes its cursor). */
export interface UnlinkDeviceFrame {
  type: "unlink_device";
  id: string;
  device_id: string;
}

/** Creates a group; `id` also makes retries of the request safe. */
export interface CreateGroupFrame {
  type: "create_group";
  id: string;
  title: string;
  /** The other first members (the creator may be listed or not). */
  members: string[];
}

export interface AddMembersFrame {
  type: "add_members";
  id: string;
  conversation_id: string;
  user_ids: string[];
}

export interface RemoveMemberFrame {
  type: "remove_member";
  id: string;
  conversation_id: string;
  user_id: string;
}

export interface LeaveGroupFrame {
  type: "leave_group";
  id: string;
  conversation_id: string;
}

export interface GetConversationFrame {
  type: "get_conversation";
  id: string;
  conversation_id: string;
}

export interface ListMembersFrame {
  type: "list_members";
  id: string;
  conversation_id: string;
}

export interface ListConversationsFrame {
  type: "list_conversations";
  id: string;
  limit?: number;
  page_token?: string;
}

/** The user has read the conversation up to `seq`. */
export interface ReadFrame {
  type: "read";
  id: string;
  conversation_id: string;
  seq: number;
}

/**
 * Replaces the connection's set of watched users (empty: watch nobody).
 * Only users who share a conversation with the connection's user are
 * watched; the others are listed in the answer's `not_visible`.
 */
export interface WatchPresenceFrame {
  type: "watch_presence";
  id: string;
  user_ids: string[];
}

/** The user is typing in a conversation; no answer unless it fails. */
export interface TypingFrame {
  type: "typing";
  conversation_id: string;
  /** Echoed in an error frame only. */
  id?: string;
}

/**
 * Asks for an upload grant: svc-media checks the declared type, size and
 * checksum, and answers `upload_grant` with where to PUT the bytes.
 */
export interface UploadFrame {
  type: "upload";
  id: string;
  content_type: string;
  size: number;
  /** SHA-256 of the content, 64 hex digits. */
  sha256: string;
  file_name?: string;
}

/** The bytes are uploaded: svc-media verifies them and answers `media`. */
export interface UploadDoneFrame {
  type: "upload_done";
  id: string;
  media_id: string;
}

/** Asks for a short-lived URL to fetch media (or its thumbnail) from. */
export interface DownloadFrame {
  type: "download";
  id: string;
  media_id: string;
  thumbnail: boolean;
}

export type ClientFrame =
  | HelloFrame
  | SendFrame
  | AckFrame
  | PingFrame
  | HistoryRequestFrame
  | DevicesRequestFrame
  | UnlinkDeviceFrame
  | CreateGroupFrame
  | AddMembersFrame
  | RemoveMemberFrame
  | LeaveGroupFrame
  | GetConversationFrame
  | ListMembersFrame
  | ListConversationsFrame
  | ReadFrame
  | WatchPresenceFrame
  | TypingFrame
  | UploadFrame
  | UploadDoneFrame
  | DownloadFrame;

/** A message as clients see it, live and in history pages. */
export interface MessageView {
  id: string;
  conversation_id: string;
  seq: number;
  from: string;
  from_device: string;
  client_id: string;
  /** Server time of acceptance, ms since the epoch. */
  sent_at: number;
  /** The text; absent for event kinds that carry none. */
  body?: string;
  /** Set for a membership change (and then no body). */
  membership?: MembershipView;
  /** The photo, video or file of a media message. */
  media?: MediaView;
}

/** Media carried by a message: enough to render it before downloading. */
export interface MediaView {
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

/** "unknown": an action newer than this edge; the event still holds its place. */
export type MembershipAction = "created" | "added" | "removed" | "left" | "promoted" | "unknown";

/** Who joined, left, was removed or promoted, and by whom. */
export interface MembershipView {
  action: MembershipAction;
  actor: string;
  user_ids: string[];
  /** The group's title, on "created". */
  title?: string;
}

/** A conversation as its member sees it. */
export interface ConversationView {
  conversation_id: string;
  kind: "direct" | "group";
  title?: string;
  created_by?: string;
  created_at: number;
  member_count: number;
  membership_version: number;
  /** For a 1:1 conversation, the other participant. */
  peer_id?: string;
  /** The reader's role. */
  role: "admin" | "member";
}

export interface MemberView {
  user_id: string;
  role: "admin" | "member";
  joined_seq: number;
  delivered_seq: number;
  read_seq: number;
}

export interface ConversationSummaryView {
  conversation: ConversationView;
  last_message?: MessageView;
  unread_count: number;
  last_activity: number;
  delivered_seq: number;
  read_seq: number;
}

export interface WelcomeFrame {
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

export interface SentFrame {
  type: "sent";
  id: string;
  message_id: string;
  conversation_id: string;
  seq: number;
  sent_at: number;
  duplicate: boolean;
}

export interface MessageFrame {
  type: "message";
  inbox_seq: number;
  message: MessageView;
}

export interface CaughtUpFrame {
  type: "caught_up";
  inbox_seq: number;
}

export interface PongFrame {
  type: "pong";
  id?: string;
}

export interface HistoryPageFrame {
  type: "history";
  id: string;
  messages: MessageView[];
  has_more: boolean;
}

/** One linked device, as the devices answer shows it. */
export interface DeviceView {
  device_id: string;
  /** When it was linked, ms since the epoch. */
  linked_at: number;
  /** True for the device of the connection that asked. */
  current: boolean;
}

export interface DevicesFrame {
  type: "devices";
  id: string;
  devices: DeviceView[];
}

export interface UnlinkedFrame {
  type: "unlinked";
  id: string;
  device_id: string;
}

/** A member's delivered and read watermarks moved (an inbox entry). */
export interface ReceiptFrame {
  type: "receipt";
  inbox_seq: number;
  conversation_id: string;
  user_id: string;
  delivered_seq: number;
  read_seq: number;
}

export interface GroupCreatedFrame {
  type: "group_created";
  id: string;
  conversation: ConversationView;
  /** False when this answers a retry of an earlier create_group. */
  created: boolean;
}

export interface MembersChangedFrame {
  type: "members_changed";
  id: string;
  conversation: ConversationView;
  /** The membership events appended, in order (empty when nothing changed). */
  events: MessageView[];
}

export interface ConversationFrame {
  type: "conversation";
  id: string;
  conversation: ConversationView;
}

export interface MembersFrame {
  type: "members";
  id: string;
  conversation_id: string;
  membership_version: number;
  members: MemberView[];
}

export interface ConversationsFrame {
  type: "conversations";
  id: string;
  conversations: ConversationSummaryView[];
  next_page_token?: string;
}

/** The user's own watermarks after a read. */
export interface WatermarksFrame {
  type: "watermarks";
  id: string;
  conversation_id: string;
  delivered_seq: number;
  read_seq: number;
}

/** One watched user's presence. */
export interface PresenceView {
  user_id: string;
  /** True while a device is connected, and through the grace period after. */
  online: boolean;
  /** When last seen online, ms since the epoch; absent while online or if never seen. */
  last_seen?: number;
}

/**
 * The answer to watch_presence (with its `id` and `not_visible`), then a
 * push (without them) for each change of a watched user.
 */
export interface PresenceFrame {
  type: "presence";
  id?: string;
  users: PresenceView[];
  not_visible?: string[];
}

/** Another member is typing; show it for `expires_in_ms` unless refreshed. */
export interface TypingIndicatorFrame {
  type: "typing";
  conversation_id: string;
  user_id: string;
  expires_in_ms: number;
}

/** Where and how to upload: storage refuses a request that differs. */
export interface UploadGrantView {
  method: string;
  url: string;
  /** Send exactly these headers; they are signed. */
  headers: Record<string, string>;
  expires_at: number;
}

export interface UploadGrantFrame {
  type: "upload_grant";
  id: string;
  media: MediaView;
  upload: UploadGrantView;
}

/** Media verified and ready to send (`send` with its `media_id`). */
export interface MediaReadyFrame {
  type: "media";
  id: string;
  media: MediaView;
}

export interface DownloadUrlFrame {
  type: "download_url";
  id: string;
  media_id: string;
  url: string;
  expires_at: number;
}

export interface ErrorFrame {
  type: "error";
  id?: string;
  code: string;
  reason: string;
}

export type ServerFrame =
  | WelcomeFrame
  | SentFrame
  | MessageFrame
  | CaughtUpFrame
  | PongFrame
  | HistoryPageFrame
  | DevicesFrame
  | UnlinkedFrame
  | ReceiptFrame
  | GroupCreatedFrame
  | MembersChangedFrame
  | ConversationFrame
  | MembersFrame
  | ConversationsFrame
  | WatermarksFrame
  | PresenceFrame
  | TypingIndicatorFrame
  | UploadGrantFrame
  | MediaReadyFrame
  | DownloadUrlFrame
  | ErrorFrame;
