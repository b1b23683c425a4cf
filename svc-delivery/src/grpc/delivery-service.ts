import { unary, type GrpcService, type Logger } from "@parley/common";
import {
  DeliveryServiceService,
  type SendMessageRequest,
  type SendMessageResponse,
} from "@parley/proto/parley/delivery/v1/delivery";
import { validateSend } from "../domain/send.js";
import type { ConversationLog } from "../nats/conversation-log.js";

/** parley.delivery.v1.DeliveryService: validate, then append to the log. */
export function deliveryService(
  conversationLog: ConversationLog,
  maxBodyBytes: number,
  log: Logger,
): GrpcService {
  const sendMessage = async (request: SendMessageRequest): Promise<SendMessageResponse> => {
    const send = validateSend(request, maxBodyBytes);
    const appended = await conversationLog.append(send);
    return {
      messageId: send.messageId,
      conversationId: send.conversationId,
      seq: appended.seq,
      sentAtMs: appended.sentAtMs,
      duplicate: appended.duplicate,
    };
  };
  return {
    name: "parley.delivery.v1.DeliveryService",
    definition: DeliveryServiceService,
    implementation: { sendMessage: unary("SendMessage", log, sendMessage) },
  };
}
