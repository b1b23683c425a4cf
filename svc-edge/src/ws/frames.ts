/**
 * The JSON frames of the client protocol (docs/protocol.md). Field names are
 * kept exactly as they appear on the wire.
 */

/** The first frame of every connection. */
export interface HelloFrame {
  type: "hello";
  token: string;
}

/** Sends a text message to one user. */
export interface SendFrame {
  type: "send";
  /** The client's message id: idempotency key of the send. */
  id: string;
  to: string;
  body: string;
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

export type ClientFrame =
  | HelloFrame
  | SendFrame
  | AckFrame
  | PingFrame
  | HistoryRequestFrame
  | DevicesRequestFrame
  | UnlinkDeviceFrame;

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
  | ErrorFrame;
