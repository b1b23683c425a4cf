import { requireId } from "@parley/common";
import type { GetDownloadRequest, GetDownloadResponse } from "@parley/proto/parley/media/v1/media";
import { attachmentDisposition } from "../domain/content-disposition.js";
import { requireMediaId } from "../domain/ids.js";
import { toMedia, type MediaRecord } from "../domain/media-record.js";
import type { GroupMembers } from "../history/group-members.js";
import type { MediaStore } from "../pg/media-store.js";
import { objectKey, thumbnailKey, type ObjectStore } from "../s3/object-store.js";
import { mediaNotFound } from "./errors.js";

/**
 * GetDownload: a short-lived presigned GET for whoever may see the media:
 * its owner, the peer of a 1:1 conversation it was sent to, and the
 * current members of a group it was sent to. Everyone else, like a caller
 * asking for unknown or unfinished media, hears "no such media".
 */
export class Downloads {
  constructor(
    private readonly store: MediaStore,
    private readonly objects: ObjectStore,
    private readonly groups: GroupMembers,
    private readonly ttlMs: number,
  ) {}

  async grant(request: GetDownloadRequest): Promise<GetDownloadResponse> {
    const userId = requireId("user_id", request.userId);
    const mediaId = requireMediaId(request.mediaId);
    const record = await this.store.find(mediaId);
    if (!record || record.state !== "ready" || !(await this.maySee(record, userId))) {
      throw mediaNotFound();
    }
    // Only decoded images have a thumbnail; asking for another's is
    // asking for something that does not exist.
    if (request.thumbnail && !record.thumbnail) throw mediaNotFound();

    const expiresInS = Math.max(1, Math.floor(this.ttlMs / 1000));
    const expiresAtMs = Date.now() + expiresInS * 1000;
    const url = request.thumbnail
      ? await this.objects.presignGet(
          thumbnailKey(mediaId),
          { contentType: "image/jpeg", disposition: "inline" },
          expiresInS,
        )
      : await this.objects.presignGet(
          objectKey(mediaId),
          { contentType: record.contentType, disposition: attachmentDisposition(record.fileName) },
          expiresInS,
        );
    return { url, expiresAtMs, media: toMedia(record) };
  }

  private async maySee(record: MediaRecord, userId: string): Promise<boolean> {
    if (record.ownerId === userId) return true;
    const attachments = await this.store.attachments(record.mediaId);
    if (attachments.some((a) => a.recipientId === userId)) return true;
    for (const { conversationId, recipientId } of attachments) {
      if (recipientId === "" && (await this.groups.isMember(conversationId, userId))) return true;
    }
    return false;
  }
}
