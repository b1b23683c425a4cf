import { ErrorCode, ParleyError } from "@parley/common";
import type {
  CreateUploadRequest,
  CreateUploadResponse,
} from "@parley/proto/parley/media/v1/media";
import { randomUUID } from "node:crypto";
import { toMedia } from "../domain/media-record.js";
import type { UploadLimits } from "../domain/media-kind.js";
import { validateUpload } from "../domain/upload-request.js";
import type { MediaStore } from "../pg/media-store.js";
import { uploadKey, type ObjectStore } from "../s3/object-store.js";

/** CreateUpload: a pending row and the presigned PUT that fills it. */
export class Uploads {
  constructor(
    private readonly store: MediaStore,
    private readonly objects: ObjectStore,
    private readonly limits: UploadLimits,
    private readonly ttlMs: number,
  ) {}

  async create(request: CreateUploadRequest): Promise<CreateUploadResponse> {
    const upload = validateUpload(request, this.limits);
    const mediaId = randomUUID();
    const record = await this.store.insertPending(
      mediaId,
      upload,
      this.ttlMs,
      this.limits.maxPendingPerOwner,
    );
    if (!record) {
      throw new ParleyError(
        ErrorCode.RateLimited,
        `at most ${this.limits.maxPendingPerOwner} uploads may be pending at once; complete or let some expire`,
      );
    }
    // The URL's own expiry matches the row's, whole seconds, never later.
    const expiresInS = Math.max(1, Math.floor((record.expiresAtMs - Date.now()) / 1000));
    const put = await this.objects.presignPut(uploadKey(mediaId), upload, expiresInS);
    return {
      media: toMedia(record),
      grant: { method: "PUT", url: put.url, headers: put.headers, expiresAtMs: record.expiresAtMs },
    };
  }
}
