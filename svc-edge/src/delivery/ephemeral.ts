import { isValidConversationId, isValidId } from "@parley/common";
import type { TypingIndicatorFrame } from "../ws/frames.js";

/**
 * Ephemeral messages on a user's live subject: published by an edge as
 * core NATS messages with EPHEMERAL_HEADER naming the kind, never stored,
 * never acked, carrying no inbox sequence. Each kind's body is a small
 * JSON object.
 */
export const EphemeralKind = {
  Typing: "typing",
} as const;

/** What a typing message says: the frame receivers get, less its type. */
export type TypingBody = Omit<TypingIndicatorFrame, "type">;

export function encodeTyping(body: TypingBody): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(body));
}

/**
 * The frame to pass to the user's devices for an ephemeral message, or
 * undefined for a kind this edge does not know or a malformed body. The
 * body comes from another edge, but is checked field by field all the
 * same: what reaches clients is built here, never copied through.
 */
export function ephemeralFrame(kind: string, data: Uint8Array): string | undefined {
  if (kind !== EphemeralKind.Typing) return undefined;
  let body: Partial<Record<keyof TypingBody, unknown>>;
  try {
    body = JSON.parse(new TextDecoder().decode(data)) as typeof body;
  } catch {
    return undefined;
  }
  const { conversation_id: conversationId, user_id: userId, expires_in_ms: expires } = body;
  if (!isValidConversationId(conversationId) || !isValidId(userId)) return undefined;
  if (typeof expires !== "number" || !Number.isSafeInteger(expires) || expires < 0)
    return undefined;
  const frame: TypingIndicatorFrame = {
    type: "typing",
    conversation_id: conversationId,
    user_id: userId,
    expires_in_ms: expires,
  };
  return JSON.stringify(frame);
}
