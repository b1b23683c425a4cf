import { ErrorCode } from "@parley/common";
import { RequestError } from "../errors.js";
import type { ReceiptBatcher } from "../receipts/receipt-batcher.js";
import type { Connection } from "../ws/connection.js";
import type { ReadFrame } from "../ws/frames.js";

const CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

/**
 * Records a read watermark at once (with the conversation's pending
 * delivered watermark, see ReceiptBatcher.read) and answers the user's
 * watermarks after it, or the update's own error.
 */
export async function handleRead(
  conn: Connection,
  frame: ReadFrame,
  receipts: ReceiptBatcher,
): Promise<void> {
  const userId = conn.deviceSession.identity.userId;
  const result = await receipts.read(userId, frame.conversation_id, frame.seq);
  if (result.errorCode !== "") {
    const code = CODES.has(result.errorCode) ? (result.errorCode as ErrorCode) : ErrorCode.Internal;
    throw new RequestError(code, result.errorReason || "receipt refused", frame.id);
  }
  conn.send({
    type: "watermarks",
    id: frame.id,
    conversation_id: frame.conversation_id,
    delivered_seq: result.deliveredSeq,
    read_seq: result.readSeq,
  });
}
