import { callUnary, ErrorCode, ParleyError } from "@parley/common";
import type { MediaAttachment } from "@parley/proto/parley/events/v1/events";
import type {
  AttachMediaRequest,
  AttachMediaResponse,
  MediaServiceClient,
} from "@parley/proto/parley/media/v1/media";
import type { ValidSend } from "../domain/send.js";

/** The sender's own fault: these pass on to the caller as svc-media said them. */
const REFUSALS: ReadonlySet<string> = new Set([
  ErrorCode.InvalidArgument,
  ErrorCode.NotFound,
  ErrorCode.FailedPrecondition,
]);

/**
 * Media as messages carry it, from svc-media. Attaching checks that the
 * media is ready and the sender's, and records the conversation it goes
 * to, which is what lets that conversation's members download it. It is
 * idempotent, so a retried send attaches again harmlessly.
 */
export class MediaAttachments {
  constructor(
    private readonly client: MediaServiceClient,
    private readonly timeoutMs: number,
  ) {}

  async attach(send: ValidSend & { mediaId: string }): Promise<MediaAttachment> {
    let answer: AttachMediaResponse;
    try {
      answer = await callUnary<AttachMediaRequest, AttachMediaResponse>(
        this.client,
        this.client.attachMedia,
        {
          senderId: send.senderId,
          mediaId: send.mediaId,
          conversationId: send.conversationId,
          recipientId: send.recipientId ?? "",
        },
        this.timeoutMs,
      );
    } catch (err) {
      if (err instanceof ParleyError && REFUSALS.has(err.code)) throw err;
      throw ParleyError.unavailable("media cannot be checked; retry the send", err);
    }
    if (!answer.attachment) {
      throw ParleyError.unavailable("svc-media answered without the attachment; retry the send");
    }
    return answer.attachment;
  }
}
