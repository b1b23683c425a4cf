import { isSha256Hex, ParleyError, requireId } from "@parley/common";
import type { CreateUploadRequest } from "@parley/proto/parley/media/v1/media";
import { sanitiseFileName, truncateUtf8 } from "./file-name.js";
import { kindOf, type UploadLimits } from "./media-kind.js";

/** A checked CreateUpload request. */
export interface ValidUpload {
  ownerId: string;
  contentType: string;
  sizeBytes: number;
  /** 64 lower-case hex digits. */
  sha256: string;
  fileName: string;
}

/**
 * Checks a CreateUpload request against the allow-list and the cap of its
 * kind. Throws INVALID_ARGUMENT naming the problem. Content types compare
 * in lower case; parameters ("; charset=…") are not part of an allowed type.
 */
export function validateUpload(request: CreateUploadRequest, limits: UploadLimits): ValidUpload {
  const ownerId = requireId("owner_id", request.ownerId);
  const contentType = request.contentType.trim().toLowerCase();
  if (!limits.contentTypes.has(contentType)) {
    throw ParleyError.invalid(
      `content_type ${JSON.stringify(truncateUtf8(request.contentType, 100))} is not accepted; allowed: ${[...limits.contentTypes].join(", ")}`,
    );
  }
  const kind = kindOf(contentType);
  const cap = limits.maxBytes[kind];
  if (!Number.isSafeInteger(request.sizeBytes) || request.sizeBytes <= 0) {
    throw ParleyError.invalid("size_bytes must be more than 0");
  }
  if (request.sizeBytes > cap) {
    throw ParleyError.invalid(
      `size_bytes ${request.sizeBytes} is over the ${kind} cap of ${cap} bytes`,
    );
  }
  if (!isSha256Hex(request.sha256)) {
    throw ParleyError.invalid("sha256 must be 64 hex digits (the SHA-256 of the content)");
  }
  return {
    ownerId,
    contentType,
    sizeBytes: request.sizeBytes,
    sha256: request.sha256.toLowerCase(),
    fileName: sanitiseFileName(request.fileName),
  };
}
