import { isGroupConversationId, isMediaId, isValidConversationId, isValidId } from "@parley/common";
import { RequestError } from "../errors.js";

/**
 * Field checks shared by the frame parsers. Each throws RequestError with a
 * reason that starts with the field's name, carrying the request's id.
 */
export type Fields = Record<string, unknown>;

/** Limits that frame validation enforces. */
export interface CodecLimits {
  maxBodyBytes: number;
  /** Most user ids a create_group or add_members frame may list. */
  maxUserIds: number;
  /** Most user ids a watch_presence frame may list. */
  maxWatchedUsers: number;
}

const ID_RULE = "1 to 64 characters of A-Z, a-z, 0-9, '_' or '-'";

export function requireIdField(f: Fields, field: string, requestId: string | undefined): string {
  const value = f[field];
  if (!isValidId(value)) throw RequestError.invalid(`${field} must be ${ID_RULE}`, requestId);
  return value;
}

export function requireSeq(f: Fields, field: string, requestId: string | undefined): number {
  const value = f[field];
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw RequestError.invalid(`${field} must be a non-negative integer`, requestId);
  }
  return value;
}

/** A conversation seq: stream sequences start at 1, so 0 names nothing. */
export function requirePositiveSeq(f: Fields, field: string, requestId: string): number {
  const value = f[field];
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
    throw RequestError.invalid(`${field} must be a positive integer`, requestId);
  }
  return value;
}

export function requireConversationId(f: Fields, requestId: string | undefined): string {
  const value = f.conversation_id;
  if (!isValidConversationId(value)) {
    throw RequestError.invalid("conversation_id is missing or malformed", requestId);
  }
  return value;
}

/** A group's id: the group frames make no sense for a 1:1 conversation. */
export function requireGroupId(f: Fields, requestId: string): string {
  const value = requireConversationId(f, requestId);
  if (!isGroupConversationId(value)) {
    throw RequestError.invalid(
      "conversation_id must name a group (g_...), not a 1:1 conversation",
      requestId,
    );
  }
  return value;
}

/** A list of distinct user ids, at most `max` (at least one unless `allowEmpty`). */
export function requireUserIds(
  f: Fields,
  field: string,
  requestId: string,
  max: number,
  allowEmpty = false,
): string[] {
  const value = f[field];
  if (!Array.isArray(value)) {
    throw RequestError.invalid(`${field} must be an array of user ids`, requestId);
  }
  if (value.length === 0 && !allowEmpty) {
    throw RequestError.invalid(`${field} must list at least one user id`, requestId);
  }
  if (value.length > max) {
    throw RequestError.invalid(
      `${field} lists ${value.length} user ids, over the ${max} limit`,
      requestId,
    );
  }
  const seen = new Set<string>();
  for (const [i, id] of value.entries()) {
    if (!isValidId(id)) throw RequestError.invalid(`${field}[${i}] must be ${ID_RULE}`, requestId);
    if (seen.has(id)) {
      throw RequestError.invalid(`${field} lists ${JSON.stringify(id)} twice`, requestId);
    }
    seen.add(id);
  }
  return value as string[];
}

/**
 * Text a person typed: a string, well-formed (JSON can carry a lone
 * surrogate such as "\ud800", which protobuf would silently store as
 * U+FFFD, so the text would not be the one sent) and without NUL.
 */
export function requireText(f: Fields, field: string, requestId: string | undefined): string {
  const value = f[field];
  if (typeof value !== "string" || value === "") {
    throw RequestError.invalid(`${field} must be a non-empty string`, requestId);
  }
  if (!value.isWellFormed()) {
    throw RequestError.invalid(`${field} is not well-formed UTF-16 (lone surrogate)`, requestId);
  }
  if (value.includes("\u0000")) {
    throw RequestError.invalid(`${field} must not contain NUL (U+0000)`, requestId);
  }
  return value;
}

/** A media id as svc-media issues it: a lower-case, hyphenated UUID. */
export function requireMediaId(f: Fields, requestId: string): string {
  const value = f.media_id;
  if (!isMediaId(value)) {
    throw RequestError.invalid("media_id must be a media id (a lower-case UUID)", requestId);
  }
  return value;
}

export function optionalBoolean(f: Fields, field: string, requestId: string): boolean | undefined {
  const value = f[field];
  if (value !== undefined && typeof value !== "boolean") {
    throw RequestError.invalid(`${field} must be a boolean`, requestId);
  }
  return value;
}

/** An optional page size of 1 to `max`. */
export function optionalLimit(f: Fields, requestId: string, max: number): number | undefined {
  if (f.limit === undefined) return undefined;
  const limit = requireSeq(f, "limit", requestId);
  if (limit < 1 || limit > max) throw RequestError.invalid(`limit must be 1 to ${max}`, requestId);
  return limit;
}
