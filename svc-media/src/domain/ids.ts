import { ParleyError } from "@parley/common";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Returns the media id in lower case, or throws INVALID_ARGUMENT. */
export function requireMediaId(value: string): string {
  if (!UUID.test(value)) throw ParleyError.invalid("media_id must be a UUID");
  return value.toLowerCase();
}
