/**
 * What a content type is for the service: which size cap applies, and
 * whether the content is decoded (images) for its size and thumbnail.
 */
export const MediaKind = {
  Image: "image",
  Video: "video",
  Audio: "audio",
  File: "file",
} as const;
export type MediaKind = (typeof MediaKind)[keyof typeof MediaKind];

/** The kind of a content type: its top-level type, or file for the rest. */
export function kindOf(contentType: string): MediaKind {
  const top = contentType.slice(0, contentType.indexOf("/"));
  if (top === "image" || top === "video" || top === "audio") return top;
  return MediaKind.File;
}

/**
 * Image types sharp's prebuilt binaries decode. HEIC needs an HEVC decoder
 * they do not ship (patents), so HEIC images are verified by size and
 * checksum only and carry no dimensions or thumbnail. The mark can go once
 * a libvips with HEVC support is deployed.
 */
const DECODABLE_IMAGES = new Set(["image/jpeg", "image/png", "image/webp", "image/gif"]);

export function isDecodableImage(contentType: string): boolean {
  return DECODABLE_IMAGES.has(contentType);
}

/** The allow-list and the caps per kind, from config. */
export interface UploadLimits {
  contentTypes: ReadonlySet<string>;
  maxBytes: Record<MediaKind, number>;
  maxPendingPerOwner: number;
}
