import { createHash } from "node:crypto";

/**
 * A version 8 UUID (RFC 9562) derived from `name`: the same name gives the
 * same id. Used where a retry must publish the very same event, so that
 * JetStream's duplicate window and the stored (conversation, message id)
 * constraint both keep it once.
 */
export function derivedEventId(name: string): string {
  const bytes = createHash("sha256").update(name).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    hex.slice(12, 16),
    hex.slice(16, 20),
    hex.slice(20),
  ].join("-");
}
