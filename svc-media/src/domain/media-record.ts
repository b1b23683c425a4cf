import type { MediaAttachment } from "@parley/proto/parley/events/v1/events";
import { MediaState, type Media } from "@parley/proto/parley/media/v1/media";

/** A small JPEG preview of an image, kept in Postgres and beside the original. */
export interface ThumbnailImage {
  jpeg: Buffer;
  width: number;
  height: number;
}

/** One row of the media table. */
export interface MediaRecord {
  mediaId: string;
  ownerId: string;
  contentType: string;
  sizeBytes: number;
  /** 64 lower-case hex digits. */
  sha256: string;
  fileName: string;
  state: "pending" | "ready";
  /** Pixel size of a decoded image, after EXIF rotation; 0 otherwise. */
  width: number;
  height: number;
  thumbnail: ThumbnailImage | undefined;
  createdAtMs: number;
  /** When the upload grant ends; a pending upload past it is swept. */
  expiresAtMs: number;
}

export function toMedia(record: MediaRecord): Media {
  return {
    mediaId: record.mediaId,
    ownerId: record.ownerId,
    contentType: record.contentType,
    sizeBytes: record.sizeBytes,
    sha256: record.sha256,
    fileName: record.fileName,
    state: record.state === "ready" ? MediaState.MEDIA_STATE_READY : MediaState.MEDIA_STATE_PENDING,
    width: record.width,
    height: record.height,
    thumbnail: record.thumbnail && { ...record.thumbnail },
    createdAtMs: record.createdAtMs,
  };
}

/** What a message carries of ready media. */
export function toAttachment(record: MediaRecord): MediaAttachment {
  return {
    mediaId: record.mediaId,
    contentType: record.contentType,
    sizeBytes: record.sizeBytes,
    sha256: record.sha256,
    fileName: record.fileName,
    width: record.width,
    height: record.height,
    thumbnailJpeg: record.thumbnail?.jpeg ?? Buffer.alloc(0),
    thumbnailWidth: record.thumbnail?.width ?? 0,
    thumbnailHeight: record.thumbnail?.height ?? 0,
  };
}
