import { createHash } from "node:crypto";
import type { Logger } from "@parley/common";
import type { MediaRecord, ThumbnailImage } from "../domain/media-record.js";
import { isDecodableImage } from "../domain/media-kind.js";
import type { MediaStore } from "../pg/media-store.js";
import { objectKey, thumbnailKey, type ObjectStore } from "../s3/object-store.js";
import { failedPrecondition, mediaNotFound } from "./errors.js";
import { previewImage, UndecodableImage, type PreviewOptions } from "./image-preview.js";

/** What verification found of an uploaded object that matches its declaration. */
interface Checked {
  width: number;
  height: number;
  thumbnail: ThumbnailImage | undefined;
}

/**
 * CompleteUpload: the uploaded object is checked against what was declared
 * (size, content type, SHA-256) before the media turns ready. A mismatch
 * deletes the object, so nothing unverified stays in the bucket, and
 * leaves the upload pending: the client may upload again on the same grant
 * while it lasts.
 */
export class Completion {
  constructor(
    private readonly store: MediaStore,
    private readonly objects: ObjectStore,
    private readonly preview: PreviewOptions,
    private readonly log: Logger,
  ) {}

  async complete(ownerId: string, mediaId: string): Promise<MediaRecord> {
    const record = await this.store.find(mediaId);
    if (!record || record.ownerId !== ownerId) throw mediaNotFound();
    if (record.state === "ready") return record;
    if (record.expiresAtMs <= Date.now()) {
      throw failedPrecondition("the upload grant expired; ask for a new upload");
    }
    const checked = await this.check(record);
    if (checked.thumbnail) {
      await this.objects.put(thumbnailKey(mediaId), checked.thumbnail.jpeg, "image/jpeg");
    }
    const ready = await this.store.markReady(mediaId, checked);
    // The sweeper may have removed the row in between only if the grant
    // ran out during the check and its grace passed too.
    if (!ready) throw failedPrecondition("the upload grant expired; ask for a new upload");
    this.log.info(
      { media_id: mediaId, owner_id: ownerId, size_bytes: ready.sizeBytes },
      "upload completed",
    );
    return ready;
  }

  private async check(record: MediaRecord): Promise<Checked> {
    const key = objectKey(record.mediaId);
    const stored = await this.objects.head(key);
    if (!stored) {
      throw failedPrecondition("nothing was uploaded for this media yet; upload it, then complete");
    }
    if (stored.sizeBytes !== record.sizeBytes) {
      return this.refuse(record, `size is ${stored.sizeBytes} bytes, ${record.sizeBytes} declared`);
    }
    if (stored.contentType.toLowerCase() !== record.contentType) {
      return this.refuse(
        record,
        `content type is "${stored.contentType}", "${record.contentType}" declared`,
      );
    }
    const declared = Buffer.from(record.sha256, "hex").toString("base64");
    if (stored.sha256Base64 !== undefined && stored.sha256Base64 !== declared) {
      return this.refuse(record, "SHA-256 differs from the one declared");
    }

    if (isDecodableImage(record.contentType)) {
      // Images are read whole anyway (their size is capped), so the
      // checksum is computed here whatever storage reported.
      const content = await this.objects.read(key);
      if (sha256Hex(content) !== record.sha256) {
        return this.refuse(record, "SHA-256 differs from the one declared");
      }
      try {
        const { width, height, thumbnail } = await previewImage(content, this.preview);
        return { width, height, thumbnail };
      } catch (err) {
        if (!(err instanceof UndecodableImage)) throw err;
        return this.refuse(record, `it is not a decodable ${record.contentType} image`);
      }
    }
    // Storage that keeps no checksum (some S3-compatible servers) gets the
    // content hashed by streaming it once: slower, but never unverified.
    if (stored.sha256Base64 === undefined && (await this.objects.sha256(key)) !== record.sha256) {
      return this.refuse(record, "SHA-256 differs from the one declared");
    }
    return { width: 0, height: 0, thumbnail: undefined };
  }

  private async refuse(record: MediaRecord, mismatch: string): Promise<never> {
    await this.objects.delete(objectKey(record.mediaId));
    this.log.info({ media_id: record.mediaId, mismatch }, "upload refused, object deleted");
    throw failedPrecondition(
      `the uploaded object does not match the upload: ${mismatch}; it was deleted, upload again`,
    );
  }
}

function sha256Hex(content: Buffer): string {
  return createHash("sha256").update(content).digest("hex");
}
