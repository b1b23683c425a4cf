import { ParleyError } from "@parley/common";

/** Where a conversation list page ends: its last entry's sort key. */
export interface ListKey {
  lastActivityMs: number;
  conversationId: string;
}

/**
 * The token is opaque to callers (base64url of the keyset) so that the
 * sort key can change without an API change.
 */
export function encodePageToken(key: ListKey): string {
  return Buffer.from(JSON.stringify([key.lastActivityMs, key.conversationId])).toString(
    "base64url",
  );
}

/** The key of a token; null for the empty token; INVALID_ARGUMENT when malformed. */
export function decodePageToken(token: string): ListKey | null {
  if (token === "") return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    throw ParleyError.invalid("page_token is malformed");
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 2 ||
    !Number.isSafeInteger(parsed[0]) ||
    typeof parsed[1] !== "string"
  ) {
    throw ParleyError.invalid("page_token is malformed");
  }
  return { lastActivityMs: parsed[0] as number, conversationId: parsed[1] };
}
