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
