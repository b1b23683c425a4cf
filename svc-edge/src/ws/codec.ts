import { isValidId } from "@parley/common";
import { CloseCode, ConnectionClosingError, RequestError } from "../errors.js";
import { conversationParsers } from "./conversation-codec.js";
import { mediaParsers } from "./media-codec.js";
import { presenceParsers } from "./presence-codec.js";
import {
  optionalBoolean,
  optionalLimit,
  requireConversationId,
  requireGroupId,
  requireIdField,
  requireMediaId,
  requireSeq,
  requireText,
  type CodecLimits,
  type Fields,
} from "./fields.js";
import type {
  AckFrame,
  ClientFrame,
  DevicesRequestFrame,
  HelloFrame,
  HistoryRequestFrame,
  PingFrame,
  SendFrame,
  UnlinkDeviceFrame,
} from "./frames.js";

export type { CodecLimits } from "./fields.js";

/** Largest page a history request may ask for. */
export const MAX_HISTORY_LIMIT = 500;

type Parser = (f: Fields, limits: CodecLimits) => ClientFrame;

const parsers: Record<ClientFrame["type"], Parser> = {
  hello: parseHello,
  send: parseSend,
  ack: parseAck,
  ping: parsePing,
  history: parseHistory,
  devices: parseDevices,
  unlink_device: parseUnlinkDevice,
  ...conversationParsers,
  ...presenceParsers,
  ...mediaParsers,
};

/**
 * Decodes and validates one client text frame. Throws RequestError with a
 * reason naming the problem (and the frame's id when it had a usable one),
 * so the caller can answer it without closing the socket.
 */
export function decodeClientFrame(text: string, limits: CodecLimits): ClientFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw RequestError.invalid("frame is not valid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw RequestError.invalid("frame must be a JSON object");
  }
  const fields = value as Fields;
  const parse = Object.hasOwn(parsers, String(fields.type))
    ? parsers[fields.type as ClientFrame["type"]]
    : undefined;
  if (!parse) {
    const id = isValidId(fields.id) ? fields.id : undefined;
    if (fields.type === undefined) throw RequestError.invalid("frame has no type", id);
    throw RequestError.invalid(`unknown frame type ${JSON.stringify(fields.type)}`, id);
  }
  return parse(fields, limits);
}

/**
 * Decodes the first frame of a connection (undefined for a binary one). Any
 * frame but a hello is a protocol violation (4400); a hello without a token
 * is unauthenticated (4401).
 */
export function decodeHello(text: string | undefined): { token: string } {
  let value: unknown;
  try {
    value = text === undefined ? undefined : JSON.parse(text);
  } catch {
    // Reported below as a frame that is not a hello.
  }
  const fields = typeof value === "object" && value !== null ? (value as Fields) : {};
  if (fields.type !== "hello") {
    throw new ConnectionClosingError(
      CloseCode.ProtocolViolation,
      "the first frame must be a hello",
    );
  }
  if (typeof fields.token !== "string" || fields.token === "") {
    throw new ConnectionClosingError(CloseCode.Unauthenticated, "hello has no token");
  }
  return { token: fields.token };
}

/** Serialises a server frame. */
export function encodeFrame(frame: object): string {
  return JSON.stringify(frame);
}

function parseHello(f: Fields): HelloFrame {
  if (typeof f.token !== "string" || f.token === "") {
    throw RequestError.invalid("hello needs a token");
  }
  return { type: "hello", token: f.token };
}

function parseSend(f: Fields, limits: CodecLimits): SendFrame {
  const id = requireIdField(f, "id", undefined);
  const target = parseSendTarget(f, id);
  const mediaId = f.media_id === undefined ? undefined : requireMediaId(f, id);
  // With media the body is a caption, which may be left out.
  const captionOnly = mediaId !== undefined && (f.body === undefined || f.body === "");
  const body = captionOnly ? "" : requireText(f, "body", id);
  const bytes = Buffer.byteLength(body, "utf8");
  if (bytes > limits.maxBodyBytes) {
    throw RequestError.invalid(`body is ${bytes} bytes, over the ${limits.maxBodyBytes} limit`, id);
  }
  const retry = optionalBoolean(f, "retry", id) === true;
  const frame: SendFrame = { type: "send", id, ...target, body, retry };
  if (mediaId !== undefined) frame.media_id = mediaId;
  return frame;
}

/** Exactly one of `to` (a user, 1:1) and `conversation_id` (a group). */
function parseSendTarget(f: Fields, id: string): { to: string } | { conversation_id: string } {
  const hasTo = f.to !== undefined;
  const hasGroup = f.conversation_id !== undefined;
  if (hasTo && hasGroup) {
    throw RequestError.invalid("to and conversation_id exclude each other: give one", id);
  }
  if (hasGroup) return { conversation_id: requireGroupId(f, id) };
  if (!hasTo) {
    throw RequestError.invalid("to (a user id) or conversation_id (a group id) is required", id);
  }
  return { to: requireIdField(f, "to", id) };
}

function parseAck(f: Fields): AckFrame {
  return { type: "ack", inbox_seq: requireSeq(f, "inbox_seq", undefined) };
}

function parsePing(f: Fields): PingFrame {
  if (f.id === undefined) return { type: "ping" };
  return { type: "ping", id: requireIdField(f, "id", undefined) };
}

function parseHistory(f: Fields): HistoryRequestFrame {
  const id = requireIdField(f, "id", undefined);
  const conversationId = requireConversationId(f, id);
  const frame: HistoryRequestFrame = { type: "history", id, conversation_id: conversationId };
  if (f.before_seq !== undefined) frame.before_seq = requireSeq(f, "before_seq", id);
  if (f.after_seq !== undefined) frame.after_seq = requireSeq(f, "after_seq", id);
  if (frame.before_seq !== undefined && frame.after_seq !== undefined) {
    throw RequestError.invalid("give before_seq or after_seq, not both", id);
  }
  const fromOldest = optionalBoolean(f, "from_oldest", id);
  if (fromOldest !== undefined) {
    if (fromOldest && frame.before_seq !== undefined) {
      throw RequestError.invalid("from_oldest cannot be combined with before_seq", id);
    }
    frame.from_oldest = fromOldest;
  }
  const limit = optionalLimit(f, id, MAX_HISTORY_LIMIT);
  if (limit !== undefined) frame.limit = limit;
  return frame;
}

function parseDevices(f: Fields): DevicesRequestFrame {
  return { type: "devices", id: requireIdField(f, "id", undefined) };
}

function parseUnlinkDevice(f: Fields): UnlinkDeviceFrame {
  const id = requireIdField(f, "id", undefined);
  return { type: "unlink_device", id, device_id: requireIdField(f, "device_id", id) };
}
