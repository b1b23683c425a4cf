import { isMediaId, ParleyError } from "@parley/common";

/** The media id, or INVALID_ARGUMENT: ids are lower-case UUIDs, as issued. */
export function requireMediaId(value: string): string {
  if (!isMediaId(value))
    throw ParleyError.invalid("media_id must be a media id (a lower-case UUID)");
  return value;
}
