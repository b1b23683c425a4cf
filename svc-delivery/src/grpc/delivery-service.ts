import {
  describeFailure,
  ErrorCode,
  ParleyError,
  type GrpcService,
  type Logger,
  type MembershipCache,
  unary,
} from "@parley/common";
import {
  DeliveryServiceService,
  type SendMessageRequest,
  type SendMessageResponse,
  type SendMessagesRequest,
  type SendMessagesResponse,
  type SendResult,
} from "@parley/proto/parley/delivery/v1/delivery";
import { directMembership, type Membership } from "../domain/membership.js";
import { validateSend, type ValidSend } from "../domain/send.js";
import type { StoredSends } from "../history/stored-sends.js";
import type { MediaAttachments } from "../media/media-attachments.js";
import { sendsCounter } from "../metrics.js";
import type { ConversationLog } from "../nats/conversation-log.js";

/**
 * parley.delivery.v1.DeliveryService: validate, check a group sender's
 * membership, attach the media (ready, the sender's own) if there is any,
 * then append to the log. A send marked as a retry is first
 * looked up in history, so a retry later than the log's duplicate window
 * still gets the original back (even from a member removed since).
 */
export function deliveryService(
  conversationLog: ConversationLog,
  storedSends: StoredSends,
  memberships: MembershipCache,
  media: MediaAttachments,
  maxBodyBytes: number,
  log: Logger,
): GrpcService {
  const membershipOf = (send: ValidSend): Promise<Membership> | Membership =>
    send.recipientId === null
      ? memberships.forSender(send.conversationId, send.senderId)
      : directMembership(send.senderId, send.recipientId);

  const sendMessage = async (request: SendMessageRequest): Promise<SendMessageResponse> => {
    const send = validateSend(request, maxBodyBytes);
    const answer = (seq: number, sentAtMs: number, duplicate: boolean) => ({
      messageId: send.messageId,
      conversationId: send.conversationId,
      seq,
      sentAtMs,
      duplicate,
    });
    const stored = request.retry
      ? await storedSends.find(send.conversationId, send.messageId)
      : null;
    if (stored) return answer(stored.seq, stored.sentAtMs, true);

    const membership = await membershipOf(send);
    // After the membership check: a non-member must not learn anything of
    // the media, nor grant a group downloads of it.
    const attachment =
      send.mediaId === null ? undefined : await media.attach({ ...send, mediaId: send.mediaId });
    const appended = await conversationLog.append(send, membership, attachment);
    if (appended.duplicate && appended.sentAtMs === 0) {
      // The original left the log already; history knows when it was sent.
      const original = await storedSends.find(send.conversationId, send.messageId);
      return answer(appended.seq, original?.sentAtMs ?? 0, true);
    }
    return answer(appended.seq, appended.sentAtMs, appended.duplicate);
  };
  const countedSend = async (request: SendMessageRequest): Promise<SendMessageResponse> => {
    try {
      const answer = await sendMessage(request);
      sendsCounter.add(1, { result: "accepted", duplicate: answer.duplicate });
      return answer;
    } catch (err) {
      const reason = err instanceof ParleyError ? err.code : ErrorCode.Internal;
      sendsCounter.add(1, { result: "refused", reason });
      throw err;
    }
  };
  /** Each send as SendMessage would handle it; a failure is its own result. */
  const sendMany = async (request: SendMessagesRequest): Promise<SendMessagesResponse> => {
    if (request.sends.length > MAX_SENDS_PER_CALL) {
      throw ParleyError.invalid(`at most ${MAX_SENDS_PER_CALL} sends per call`);
    }
    const results = await Promise.all(
      request.sends.map((send) =>
        countedSend(send).then(accepted, (err: unknown) => refused(err, log)),
      ),
    );
    return { results };
  };
  return {
    name: "parley.delivery.v1.DeliveryService",
    definition: DeliveryServiceService,
    implementation: {
      sendMessage: unary("SendMessage", log, countedSend),
      sendMessages: unary("SendMessages", log, sendMany),
    },
  };
}

/** The most sends one SendMessages call may carry. */
const MAX_SENDS_PER_CALL = 1_000;

function accepted(sent: SendMessageResponse): SendResult {
  return { errorCode: "", errorReason: "", sent };
}

/** As `unary` would answer it, as this send's own result. */
function refused(err: unknown, log: Logger): SendResult {
  const { code, reason, ours } = describeFailure(err);
  if (ours) log.error({ method: "SendMessages", err }, "send failed");
  return { errorCode: code, errorReason: reason, sent: undefined };
}
