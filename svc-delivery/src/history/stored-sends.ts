import { callUnary, type Logger } from "@parley/common";
import {
  HistoryServiceClient,
  type LookupMessageRequest,
  type LookupMessageResponse,
} from "@parley/proto/parley/history/v1/history";

/** Where a send was stored: its seq and accept time. */
export interface StoredSend {
  seq: number;
  sentAtMs: number;
}

/**
 * Sends as svc-history stored them. JetStream remembers idempotency keys
 * for the duplicate window only; history keeps every message, so a late
 * retry can still be answered with the original. A lookup that fails is
 * treated as "not found": the send then goes to the log, where the window
 * (and history's unique message id) still keep it from doubling.
 */
export class StoredSends {
  constructor(
    private readonly client: HistoryServiceClient,
    private readonly timeoutMs: number,
    private readonly log: Logger,
  ) {}

  async find(conversationId: string, messageId: string): Promise<StoredSend | null> {
    try {
      const found = await callUnary<LookupMessageRequest, LookupMessageResponse>(
        this.client,
        this.client.lookupMessage,
        { conversationId, messageId },
        this.timeoutMs,
      );
      return found.found ? { seq: found.seq, sentAtMs: found.sentAtMs } : null;
    } catch (err) {
      this.log.warn({ err, conversation_id: conversationId }, "history lookup failed");
      return null;
    }
  }
}
