import { isValidConversationId, isValidId } from "@parley/common";
import { CloseCode, ConnectionClosingError, RequestError } from "../errors.js";
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

/** Limits that frame validation enforces. */
export interface CodecLimits {
  maxBodyBytes: number;
}

/** Largest page a history request may ask for. */
export const MAX_HISTORY_LIMIT = 500;

type Fields = Record<string, unknown>;
type Parser = (f: Fields, limits: CodecLimits) => ClientFrame;

const parsers: Record<ClientFrame["type"], Parser> = {
  hello: parseHello,
  send: parseSend,
  ack: parseAck,
  ping: parsePing,
  history: parseHistory,
  devices: parseDevices,
  unlink_device: parseUnlinkDevice,
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
  const to = requireIdField(f, "to", id);
  if (typeof f.body !== "string" || f.body === "") {
    throw RequestError.invalid("body must be a non-empty string", id);
  }
  // JSON can carry a lone surrogate ("\ud800"); protobuf would silently
  // store it as U+FFFD, so the message would not be the one sent.
  if (!f.body.isWellFormed()) {
    throw RequestError.invalid("body is not well-formed UTF-16 (lone surrogate)", id);
  }
  if (f.body.includes("\u0000")) {
    throw RequestError.invalid("body must not contain NUL (U+0000)", id);
  }
  const bytes = Buffer.byteLength(f.body, "utf8");
  if (bytes > limits.maxBodyBytes) {
    throw RequestError.invalid(`body is ${bytes} bytes, over the ${limits.maxBodyBytes} limit`, id);
  }
  if (f.retry !== undefined && typeof f.retry !== "boolean") {
    throw RequestError.invalid("retry must be a boolean", id);
  }
  return { type: "send", id, to, body: f.body, retry: f.retry === true };
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
  if (!isValidConversationId(f.conversation_id)) {
    throw RequestError.invalid("conversation_id is missing or malformed", id);
  }
  const frame: HistoryRequestFrame = { type: "history", id, conversation_id: f.conversation_id };
  if (f.before_seq !== undefined) frame.before_seq = requireSeq(f, "before_seq", id);
  if (f.after_seq !== undefined) frame.after_seq = requireSeq(f, "after_seq", id);
  if (frame.before_seq !== undefined && frame.after_seq !== undefined) {
    throw RequestError.invalid("give before_seq or after_seq, not both", id);
  }
  if (f.from_oldest !== undefined) {
    if (typeof f.from_oldest !== "boolean") {
      throw RequestError.invalid("from_oldest must be a boolean", id);
    }
    if (f.from_oldest && frame.before_seq !== undefined) {
      throw RequestError.invalid("from_oldest cannot be combined with before_seq", id);
    }
    frame.from_oldest = f.from_oldest;
  }
  if (f.limit !== undefined) {
    const limit = requireSeq(f, "limit", id);
    if (limit < 1 || limit > MAX_HISTORY_LIMIT) {
      throw RequestError.invalid(`limit must be 1 to ${MAX_HISTORY_LIMIT}`, id);
    }
    frame.limit = limit;
  }
  return frame;
}

function parseDevices(f: Fields): DevicesRequestFrame {
  return { type: "devices", id: requireIdField(f, "id", undefined) };
}

function parseUnlinkDevice(f: Fields): UnlinkDeviceFrame {
  const id = requireIdField(f, "id", undefined);
  return { type: "unlink_device", id, device_id: requireIdField(f, "device_id", id) };
}

function requireIdField(f: Fields, field: string, requestId: string | undefined): string {
  const value = f[field];
  if (!isValidId(value)) {
    throw RequestError.invalid(
      `${field} must be 1 to 64 characters of A-Z, a-z, 0-9, '_' or '-'`,
      requestId,
    );
  }
  return value;
}

function requireSeq(f: Fields, field: string, requestId: string | undefined): number {
  const value = f[field];
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw RequestError.invalid(`${field} must be a non-negative integer`, requestId);
  }
  return value;
}
