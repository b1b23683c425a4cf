import type { Identity, Logger } from "@parley/common";
import { RequestError } from "../errors.js";
import type { CursorStore } from "./cursor-store.js";
import type { InboxFollower } from "./inbox-follower.js";

/**
 * The delivery side of one authenticated connection: its follower, its live
 * interest and its cursor. Created by DeliveryHub.open.
 */
export class DeviceSession {
  private closed = false;

  constructor(
    readonly identity: Identity,
    readonly cursorKey: string,
    readonly follower: InboxFollower,
    private readonly cursors: CursorStore,
    private readonly detachLive: () => void,
    private readonly onClosed: (session: DeviceSession) => void,
    /** Made on first use (see Connection.log). */
    private readonly log: () => Logger,
  ) {}

  /** Reads the device's cursor and starts delivering after it. */
  async start(): Promise<void> {
    const cursor = await this.cursors.read(this.cursorKey);
    if (this.closed) return;
    this.log().debug({ cursor }, "delivery starting");
    this.follower.start(cursor);
  }

  /**
   * A cumulative ack from the device. Past what this session delivered it is
   * refused (the client cannot have seen it); behind the cursor it is a
   * no-op, since cursors never move back.
   */
  ack(inboxSeq: number): void {
    if (inboxSeq > this.follower.deliveredSeq) {
      throw RequestError.invalid(
        `inbox_seq ${inboxSeq} is beyond the last delivered ${this.follower.deliveredSeq}`,
      );
    }
    this.cursors.advance(this.cursorKey, inboxSeq);
  }

  /**
   * Stops delivery and starts writing the cursor at once, so that a newer
   * session of the device reads it only after the write.
   */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.follower.close();
    this.detachLive();
    this.onClosed(this);
    return this.cursors.flush(this.cursorKey);
  }
}
