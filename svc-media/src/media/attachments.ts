import { isValidConversationId, ParleyError, requireId } from "@parley/common";
import type { MediaAttachment } from "@parley/proto/parley/events/v1/events";
import type { AttachMediaRequest } from "@parley/proto/parley/media/v1/media";
import { requireMediaId } from "../domain/ids.js";
import { toAttachment } from "../domain/media-record.js";
import type { MediaStore } from "../pg/media-store.js";
import { failedPrecondition, mediaNotFound } from "./errors.js";

/**
 * AttachMedia: a message may carry only ready media of its sender. The
 * conversation it goes to is recorded, which is what grants that
 * conversation's members downloads. svc-delivery is the caller and has
 * derived the conversation and peer itself, so they are taken as given.
 */
export class Attachments {
  constructor(private readonly store: MediaStore) {}

  async attach(request: AttachMediaRequest): Promise<MediaAttachment> {
    const senderId = requireId("sender_id", request.senderId);
    const mediaId = requireMediaId(request.mediaId);
    if (!isValidConversationId(request.conversationId)) {
      throw ParleyError.invalid("conversation_id is not a conversation id");
    }
    const recipientId =
      request.recipientId === "" ? "" : requireId("recipient_id", request.recipientId);

    const record = await this.store.find(mediaId);
    if (!record || record.ownerId !== senderId) throw mediaNotFound();
    if (record.state !== "ready") {
      throw failedPrecondition("the media is not ready: complete its upload first");
    }
    await this.store.attach(mediaId, { conversationId: request.conversationId, recipientId });
    return toAttachment(record);
  }
}
