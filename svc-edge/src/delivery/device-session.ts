import type { Identity } from "@parley/common";
import { RequestError } from "../errors.js";
import type { ReceiptBatcher } from "../receipts/receipt-batcher.js";
import { UnackedEvents } from "../receipts/unacked-events.js";
import { deliveryLatency } from "../telemetry/edge-metrics.js";
import type { CursorStore } from "./cursor-store.js";
import type { InboxEntry } from "./inbox-entry.js";
import type { InboxFollower, SessionLog } from "./inbox-follower.js";

/**
 * The delivery side of one authenticated connection: its follower, its live
 * interest and its cursor. Created by DeliveryHub.open.
 */
export class DeviceSession {
  private closed = false;
  /** Delivered events awaiting the device's ack; undefined when none (idle sessions). */
  private unacked: UnackedEvents | undefined;

  constructor(
    readonly identity: Identity,
    readonly cursorKey: string,
    readonly follower: InboxFollower,
    private readonly cursors: CursorStore,
    private readonly receipts: ReceiptBatcher,
    private readonly detachLive: () => void,
    private readonly onClosed: (session: DeviceSession) => void,
    private readonly log: SessionLog,
  ) {}

  /** Reads the device's cursor and starts delivering after it. */
  async start(): Promise<void> {
    const cursor = await this.cursors.read(this.cursorKey);
    if (this.closed) return;
    this.log.logAt("debug")?.debug({ cursor }, "delivery starting");
    this.follower.start(cursor);
  }

  /**
   * An entry was sent to the device. A stored event (text or membership
   * change) from someone else counts toward the user's delivered watermark
   * once the device acks it; the user's own events and receipts do not.
   */
  trackForReceipt(entry: InboxEntry, live: boolean): void {
    const event = entry.event;
    if (this.closed || !event || !(event.text || event.membership)) return;
    if (event.senderId === this.identity.userId) return;
    this.unacked ??= new UnackedEvents();
    this.unacked.add({
      inboxSeq: entry.seq,
      conversationId: event.conversationId,
      seq: event.seq,
      sentAtMs: event.sentAtMs,
      live,
    });
  }

  /**
   * A cumulative ack from the device. Past what this session delivered it is
   * refused (the client cannot have seen it); behind the cursor it is a
   * no-op, since cursors never move back. The events it covers raise the
   * user's delivered watermarks (batched, see ReceiptBatcher).
   */
  ack(inboxSeq: number): void {
    if (inboxSeq > this.follower.deliveredSeq) {
      throw RequestError.invalid(
        `inbox_seq ${inboxSeq} is beyond the last delivered ${this.follower.deliveredSeq}`,
      );
    }
    this.cursors.advance(this.cursorKey, inboxSeq);
    if (!this.unacked) return;
    const now = Date.now();
    for (const { conversationId, seq, sentAtMs, live } of this.unacked.takeUpTo(inboxSeq)) {
      this.receipts.delivered(this.identity.userId, conversationId, seq);
      // Caught-up entries waited for the device to come back: their time
      // says how long it was away, not how fast delivery is.
      if (sentAtMs > 0) deliveryLatency.record(now - sentAtMs, { path: live ? "live" : "catchup" });
    }
    if (this.unacked.isEmpty) this.unacked = undefined;
  }

  /**
   * Stops delivery and starts writing the cursor at once, so that a newer
   * session of the device reads it only after the write. Ends the
   * session's hold on the cursor (DeliveryHub.open attached it).
   */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    // Unacked events come again on the device's next connection.
    this.unacked = undefined;
    this.follower.close();
    this.detachLive();
    this.onClosed(this);
    return this.cursors.detach(this.cursorKey);
  }
}
