import { ErrorCode, ParleyError, type Logger } from "@parley/common";
import type {
  ReceiptResult,
  ReceiptUpdate,
  RecordReceiptsRequest,
  RecordReceiptsResponse,
} from "@parley/proto/parley/history/v1/conversations";
import { FlushQueue } from "../delivery/flush-queue.js";

/** Where receipts go: svc-history's ConversationService.RecordReceipts. */
export interface ReceiptSink {
  recordReceipts(request: RecordReceiptsRequest): Promise<RecordReceiptsResponse>;
}

/**
 * Updates per RecordReceipts call: one call per flush as long as the edge
 * has fewer (user, conversation) pairs with news, and no request near
 * gRPC's 4 MiB message limit when it has more.
 */
export const MAX_UPDATES_PER_CALL = 1_000;

/**
 * The edge's delivered watermarks on their way to svc-history, one batcher
 * per process. Device acks raise a pending watermark per (user,
 * conversation); a pending watermark goes out once it has waited the
 * flush interval, with every other one due by then, in one
 * RecordReceipts call, not one write per message (a tick every tenth of
 * the interval takes what is due, so the calls stay small and even
 * instead of one burst per interval). A failed call puts its
 * values back (as maxima, so nothing newer is lost) for the next flush. A
 * `read` goes out at once, carrying the pending delivered watermark of its
 * conversation in the same update, since svc-history clamps read to
 * delivered.
 */
export class ReceiptBatcher {
  /** Pending delivered watermarks by key (see keyOf). */
  private pending = new Map<string, ReceiptUpdate>();
  private readonly due: FlushQueue;
  /** Watermarks of the flush in flight, which a read must not undercut. */
  private inflight = new Map<string, number>();
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sink: ReceiptSink,
    flushMs: number,
    private readonly log: Logger,
  ) {
    this.due = new FlushQueue(flushMs);
  }

  start(): void {
    this.timer = setInterval(() => void this.flushDue(), this.due.tickMs);
    this.timer.unref();
  }

  /** The user's devices received the conversation's events up to `seq`. */
  delivered(userId: string, conversationId: string, seq: number): void {
    const key = keyOf(userId, conversationId);
    const update = this.pending.get(key);
    if (!update) {
      this.pending.set(key, { userId, conversationId, deliveredSeq: seq, readSeq: 0 });
      this.due.add(key);
    } else if (seq > update.deliveredSeq) {
      update.deliveredSeq = seq;
    }
  }

  /**
   * Records a read at once, with the pending delivered watermark of the
   * same conversation; resolves with svc-history's result for the update
   * (which may carry a per-update error) and rejects when the call failed.
   * A refused update changes nothing, so its delivered value is pending
   * again: a read refused for its seq must not lose the user's delivered.
   */
  async read(userId: string, conversationId: string, readSeq: number): Promise<ReceiptResult> {
    const key = keyOf(userId, conversationId);
    const pending = this.pending.get(key)?.deliveredSeq ?? 0;
    this.pending.delete(key);
    this.due.delete(key);
    const deliveredSeq = Math.max(pending, this.inflight.get(key) ?? 0);
    let result: ReceiptResult | undefined;
    try {
      const res = await this.sink.recordReceipts({
        updates: [{ userId, conversationId, deliveredSeq, readSeq }],
      });
      result = res.results[0];
      if (!result) throw new ParleyError(ErrorCode.Internal, "RecordReceipts answered no result");
      return result;
    } finally {
      if (pending > 0 && result?.errorCode !== "") this.delivered(userId, conversationId, pending);
    }
  }

  /** Sends every pending watermark, due or not, after any flush already running. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    await this.run(() => this.takeAll());
  }

  /** Stops the timer and sends what is pending (on shutdown). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
    if (this.pending.size > 0) {
      this.log.warn({ pending: this.pending.size }, "delivered receipts not recorded at shutdown");
    }
  }

  /** Sends the watermarks that are due; a flush already running is joined. */
  private flushDue(): Promise<void> {
    return this.run(() => this.takeDue());
  }

  private run(take: () => ReceiptUpdate[]): Promise<void> {
    this.flushing ??= this.sendAll(take()).finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private takeAll(): ReceiptUpdate[] {
    const updates = [...this.pending.values()];
    this.pending = new Map();
    this.due.clear();
    return updates;
  }

  private takeDue(): ReceiptUpdate[] {
    const updates: ReceiptUpdate[] = [];
    for (const key of this.due.takeDue()) {
      const update = this.pending.get(key);
      if (!update) continue;
      this.pending.delete(key);
      updates.push(update);
    }
    return updates;
  }

  private async sendAll(updates: ReceiptUpdate[]): Promise<void> {
    if (updates.length === 0) return;
    for (const u of updates) this.inflight.set(keyOf(u.userId, u.conversationId), u.deliveredSeq);
    try {
      for (let i = 0; i < updates.length; i += MAX_UPDATES_PER_CALL) {
        await this.send(updates.slice(i, i + MAX_UPDATES_PER_CALL));
      }
    } finally {
      this.inflight.clear();
    }
  }

  /** One call; on failure its updates are pending again for the next flush. */
  private async send(updates: ReceiptUpdate[]): Promise<void> {
    let res: RecordReceiptsResponse;
    try {
      res = await this.sink.recordReceipts({ updates });
    } catch (err) {
      this.log.warn({ err, updates: updates.length }, "receipts not recorded, retrying next flush");
      for (const u of updates) this.delivered(u.userId, u.conversationId, u.deliveredSeq);
      return;
    }
    // A refused update would be refused again (e.g. the user left the
    // group since): it is dropped, not retried.
    for (const [i, result] of res.results.entries()) {
      if (result.errorCode === "") continue;
      const u = updates[i];
      this.log.debug(
        { user_id: u?.userId, conversation_id: u?.conversationId, code: result.errorCode },
        `delivered receipt refused: ${result.errorReason}`,
      );
    }
  }
}

/** Ids cannot contain a space, so the key is unambiguous. */
function keyOf(userId: string, conversationId: string): string {
  return `${userId} ${conversationId}`;
}
