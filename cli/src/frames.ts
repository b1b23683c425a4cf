/**
 * The parts of docs/protocol.md that parley reads, typed. Fields keep their
 * wire names. Only what the commands use is declared; frames carry more.
 */

/** Any frame from the server, parsed. */
export type Frame = { type: string; id?: string } & Record<string, unknown>;

/** `message.membership`: a change of a group's members. */
export interface Membership {
  action: string;
  actor: string;
  user_ids: string[];
  title?: string;
}

/** `message.media`: an attachment, as `upload_done` answered it. */
export interface Media {
  media_id: string;
  content_type: string;
  size: number;
  sha256: string;
  file_name?: string;
  width?: number;
  height?: number;
}

/** A message object, in `message` frames and `history` pages alike. */
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

/** A `receipt` frame's watermarks: how far `user_id` received and read. */
export interface Receipt {
  conversation_id: string;
  user_id: string;
  delivered_seq: number;
  read_seq: number;
}

/** The `sent` answer to a `send`. */
export interface Sent {
  id: string;
  message_id: string;
  conversation_id: string;
  seq: number;
  sent_at: number;
  duplicate: boolean;
}

/** The conversation object of `group_created`, `conversations` and others. */
export interface Conversation {
  conversation_id: string;
  kind: "direct" | "group";
  title?: string;
  peer_id?: string;
  created_at: number;
  member_count: number;
  role: string;
}

/** One entry of a `conversations` page. */
export interface ConversationEntry {
  conversation: Conversation;
  last_message?: Message;
  unread_count: number;
  last_activity: number;
}

/** What `upload` grants: where and how to PUT the bytes. */
export interface UploadGrant {
  method: string;
  url: string;
  headers: Record<string, string>;
  expires_at: number;
}
