import { createHash } from "node:crypto";
import { ParleyError } from "./errors.js";

/**
 * User, device and client message ids share one shape, chosen so that an id
 * is always a valid NATS subject token and KV key part: no dots, spaces or
 * wildcards.
 */
const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function isValidId(value: unknown): value is string {
  return typeof value === "string" && ID_PATTERN.test(value);
}

/** Returns the id, or throws an invalid-argument error naming the field. */
export function requireId(field: string, value: unknown): string {
  if (!isValidId(value)) {
    throw ParleyError.invalid(`${field} must be 1 to 64 characters of A-Z, a-z, 0-9, '_' or '-'`);
  }
  return value;
}

/**
 * A version 8 UUID (RFC 9562, "custom") hashed from `name`: the same name
 * always gives the same id. Sends derive their message id from their
 * idempotency key this way, so a retry carries the first send's id without
 * a lookup; svc-history derives the ids of events a retry must repeat.
 */
export function nameBasedUuid(name: string): string {
  const bytes = createHash("sha256").update(name).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80; // version 8
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 9562 variant
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The id of the 1:1 conversation between two users. It depends only on the
 * unordered pair, so both sides derive the same id whoever writes first, and
 * it has a fixed length whatever the user ids are.
 */
export function directConversationId(a: string, b: string): string {
  const [low, high] = a < b ? [a, b] : [b, a];
  const digest = createHash("sha256").update(`${low}\0${high}`).digest();
  return `d_${digest.subarray(0, 16).toString("base64url")}`;
}

/**
 * The id of a group, derived from its creator and the creator's request id,
 * so that a retried CreateGroup names the group the first attempt created.
 */
export function groupConversationId(creatorId: string, clientRequestId: string): string {
  const digest = createHash("sha256").update(`group\0${creatorId}\0${clientRequestId}`).digest();
  return `g_${digest.subarray(0, 16).toString("base64url")}`;
}

/** Whether a conversation id names a group (as opposed to a 1:1 conversation). */
export function isGroupConversationId(conversationId: string): boolean {
  return conversationId.startsWith("g_");
}

const CONVERSATION_PATTERN = /^[a-z]_[A-Za-z0-9_-]{1,64}$/;

export function isValidConversationId(value: unknown): value is string {
  return typeof value === "string" && CONVERSATION_PATTERN.test(value);
}

const MEDIA_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A media id as svc-media issues it: a lower-case, hyphenated UUID. */
export function isMediaId(value: unknown): value is string {
  return typeof value === "string" && MEDIA_ID_PATTERN.test(value);
}

/** A SHA-256 digest written as 64 hex digits (either case). */
export function isSha256Hex(value: unknown): value is string {
  return typeof value === "string" && /^[0-9a-fA-F]{64}$/.test(value);
}
