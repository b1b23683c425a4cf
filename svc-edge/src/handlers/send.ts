import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { ErrorCode, ParleyError, parleyTracer } from "@parley/common";
import type { DeliveryClient } from "../grpc/delivery-client.js";
import type { Connection } from "../ws/connection.js";
import type { SendFrame } from "../ws/frames.js";

const SERVER_FAULTS: ReadonlySet<string> = new Set([ErrorCode.Internal, ErrorCode.Unavailable]);

/**
 * Forwards a send (1:1 or group, text or media) to svc-delivery as the
 * connection's user and device, and answers `sent` once delivery answered,
 * which it does only after the message is durable in the conversation log.
 * A sampled send starts the message's trace: delivery, fanout, history and
 * the recipients' pushes join it.
 */
export function handleSend(
  conn: Connection,
  frame: SendFrame,
  delivery: DeliveryClient,
): Promise<void> {
  return parleyTracer().startActiveSpan("send", { kind: SpanKind.SERVER }, async (span) => {
    try {
      await forward(conn, frame, delivery);
    } catch (err) {
      // A refusal the client caused (invalid, not a member) is an answer,
      // not a failure of the trace.
      if (!(err instanceof ParleyError) || SERVER_FAULTS.has(err.code)) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      }
      throw err;
    } finally {
      span.end();
    }
  });
}

async function forward(
  conn: Connection,
  frame: SendFrame,
  delivery: DeliveryClient,
): Promise<void> {
  const { userId, deviceId } = conn.deviceSession.identity;
  const res = await delivery.send(
    {
      senderId: userId,
      senderDeviceId: deviceId,
      clientMessageId: frame.id,
      recipientId: frame.to ?? "",
      conversationId: frame.conversation_id ?? "",
      body: frame.body,
      mediaId: frame.media_id ?? "",
      retry: frame.retry,
    },
    conn,
  );
  conn.send({
    type: "sent",
    id: frame.id,
    message_id: res.messageId,
    conversation_id: res.conversationId,
    seq: res.seq,
    sent_at: res.sentAtMs,
    duplicate: res.duplicate,
  });
}
