import { isSha256Hex } from "@parley/common";
import { RequestError } from "../errors.js";
import { optionalBoolean, requireIdField, requireMediaId, type Fields } from "./fields.js";
import type { DownloadFrame, UploadDoneFrame, UploadFrame } from "./frames.js";

/** Parsers of the media frames (see codec.ts). */
export const mediaParsers = {
  upload: parseUpload,
  upload_done: parseUploadDone,
  download: parseDownload,
};

/** A file name is the user's text: bounded here, sanitised by svc-media. */
const MAX_FILE_NAME_CHARS = 1_024;
/** Far longer than any real MIME type; svc-media checks the allow-list. */
const MAX_CONTENT_TYPE_CHARS = 255;

/**
 * Shape only. Which types and sizes are allowed, and what a file name may
 * become, is svc-media's to say: it answers with the reason.
 */
function parseUpload(f: Fields): UploadFrame {
  const id = requireIdField(f, "id", undefined);
  if (
    typeof f.content_type !== "string" ||
    f.content_type === "" ||
    f.content_type.length > MAX_CONTENT_TYPE_CHARS
  ) {
    throw RequestError.invalid("content_type must be a MIME type such as image/jpeg", id);
  }
  const size = f.size;
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 1) {
    throw RequestError.invalid("size must be a positive integer (bytes)", id);
  }
  if (!isSha256Hex(f.sha256)) {
    throw RequestError.invalid("sha256 must be 64 hex digits", id);
  }
  const frame: UploadFrame = {
    type: "upload",
    id,
    content_type: f.content_type,
    size,
    sha256: f.sha256.toLowerCase(),
  };
  if (f.file_name !== undefined) {
    if (typeof f.file_name !== "string" || f.file_name.length > MAX_FILE_NAME_CHARS) {
      throw RequestError.invalid(
        `file_name must be a string of at most ${MAX_FILE_NAME_CHARS} characters`,
        id,
      );
    }
    if (!f.file_name.isWellFormed()) {
      throw RequestError.invalid("file_name is not well-formed UTF-16 (lone surrogate)", id);
    }
    frame.file_name = f.file_name;
  }
  return frame;
}

function parseUploadDone(f: Fields): UploadDoneFrame {
  const id = requireIdField(f, "id", undefined);
  return { type: "upload_done", id, media_id: requireMediaId(f, id) };
}

function parseDownload(f: Fields): DownloadFrame {
  const id = requireIdField(f, "id", undefined);
  const mediaId = requireMediaId(f, id);
  const thumbnail = optionalBoolean(f, "thumbnail", id) === true;
  return { type: "download", id, media_id: mediaId, thumbnail };
}
