import type { Logger } from "@parley/common";
import { createHash } from "node:crypto";
import pLimit from "p-limit";
import type { MediaRecord, ThumbnailImage } from "../domain/media-record.js";
import { isDecodableImage } from "../domain/media-kind.js";
import type { MediaStore } from "../pg/media-store.js";
import {
  objectKey,
  ObjectChanged,
  thumbnailKey,
  uploadKey,
  type ObjectStore,
  type StoredObject,
} from "../s3/object-store.js";
import { failedPrecondition, mediaNotFound } from "./errors.js";
import {
  ImageTooLarge,
  previewImage,
  UndecodableImage,
  type PreviewOptions,
} from "./image-preview.js";

/** What verification found of an upload that matches its declaration. */
export interface Verified {
  width: number;
  height: number;
  thumbnail: ThumbnailImage | undefined;
}

export interface CompletionSettings {
  preview: PreviewOptions;
  /** Image decodes at once in this process: each may take the memory of a whole image. */
  maxConcurrentDecodes: number;
  /** The sweeper's grace: past it, a pending upload can no longer turn ready. */
  sweepGraceMs: number;
}

/**
 * CompleteUpload. The upload (under `uploads/`) is checked against what
 * was declared: size, content type, SHA-256, and for images that they
 * decode. Every read names the version HEAD saw (If-Match), and only that
 * version is copied to `media/`, where downloads come from: a PUT on the
 * same grant after the check cannot change verified media. A mismatch
 * deletes the upload and leaves the media pending, so the client may
 * upload again while the grant lasts.
 */
export class Completion {
  private readonly decodes: ReturnType<typeof pLimit>;

  constructor(
    private readonly store: MediaStore,
    private readonly objects: ObjectStore,
    private readonly settings: CompletionSettings,
    private readonly log: Logger,
  ) {
    this.decodes = pLimit(settings.maxConcurrentDecodes);
  }

  async complete(ownerId: string, mediaId: string): Promise<MediaRecord> {
    const record = await this.store.find(mediaId);
    if (!record || record.ownerId !== ownerId) throw mediaNotFound();
    if (record.state === "ready") return record;
    if (record.expiresAtMs <= Date.now()) throw expired();

    const upload = uploadKey(mediaId);
    const stored = await this.objects.head(upload);
    if (!stored) {
      throw failedPrecondition("nothing was uploaded for this media yet; upload it, then complete");
    }
    let verified: Verified;
    try {
      verified = await this.verify(record, stored);
      if (verified.thumbnail) {
        await this.objects.put(thumbnailKey(mediaId), verified.thumbnail.jpeg, "image/jpeg");
      }
      await this.objects.copy(upload, objectKey(mediaId), stored.etag);
    } catch (err) {
      if (!(err instanceof ObjectChanged)) throw err;
      throw failedPrecondition("the upload changed while it was checked; complete it again");
    }

    const ready = await this.store.markReady(mediaId, verified, this.settings.sweepGraceMs);
    if (!ready) {
      // Swept meanwhile (the check outlasted the grant and its grace):
      // what was copied belongs to nothing.
      await this.objects.delete(objectKey(mediaId));
      await this.objects.delete(thumbnailKey(mediaId));
      throw expired();
    }
    // The upload is no longer needed; should this fail, the sweep of
    // uploads/ (a bucket lifecycle rule) removes it.
    await this.objects.delete(upload).catch((err: unknown) => {
      this.log.warn({ err, media_id: mediaId }, "upload left behind after completion");
    });
    this.log.info(
      { media_id: mediaId, owner_id: ownerId, size_bytes: ready.sizeBytes },
      "upload completed",
    );
    return ready;
  }

  private async verify(record: MediaRecord, stored: StoredObject): Promise<Verified> {
    const upload = uploadKey(record.mediaId);
    if (stored.sizeBytes !== record.sizeBytes) {
      return this.refuse(record, `size is ${stored.sizeBytes} bytes, ${record.sizeBytes} declared`);
    }
    if (stored.contentType.toLowerCase() !== record.contentType) {
      return this.refuse(
        record,
        `content type is ${JSON.stringify(stored.contentType)}, "${record.contentType}" declared`,
      );
    }
    const declared = Buffer.from(record.sha256, "hex").toString("base64");
    if (stored.sha256Base64 !== undefined && stored.sha256Base64 !== declared) {
      return this.refuse(record, "SHA-256 differs from the one declared");
    }

    if (isDecodableImage(record.contentType)) {
      return this.decodes(async () => {
        // Read whole anyway (the size is capped), so the checksum is
        // computed here whatever storage reported.
        const content = await this.objects.read(upload, stored.etag, record.sizeBytes);
        if (sha256Hex(content) !== record.sha256) {
          return this.refuse(record, "SHA-256 differs from the one declared");
        }
        try {
          return await previewImage(content, this.settings.preview);
        } catch (err) {
          if (err instanceof ImageTooLarge)
            return this.refuse(record, `the image is ${err.message}`);
          if (err instanceof UndecodableImage) {
            return this.refuse(record, `it is not a decodable ${record.contentType} image`);
          }
          throw err;
        }
      });
    }
    // Storage that keeps no checksum (some S3-compatible servers) gets the
    // content hashed by streaming it once: slower, but never unverified.
    if (
      stored.sha256Base64 === undefined &&
      (await this.objects.sha256(upload, stored.etag)) !== record.sha256
    ) {
      return this.refuse(record, "SHA-256 differs from the one declared");
    }
    return { width: 0, height: 0, thumbnail: undefined };
  }

  private async refuse(record: MediaRecord, mismatch: string): Promise<never> {
    await this.objects.delete(uploadKey(record.mediaId));
    this.log.info({ media_id: record.mediaId, mismatch }, "upload refused, object deleted");
    throw failedPrecondition(
      `the uploaded object does not match the upload: ${mismatch}; it was deleted, upload again`,
    );
  }
}

function expired() {
  return failedPrecondition("the upload grant expired; ask for a new upload");
}

function sha256Hex(content: Buffer): string {
  return createHash("sha256").update(content).digest("hex");
}
