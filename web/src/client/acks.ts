import type { Connection } from "../net/connection.js";

/** How long acks wait to be sent together ("after every few messages"). */
const ACK_DELAY_MS = 250;

/**
 * Cumulative inbox acks: remembers the highest `inbox_seq` seen and acks it
 * shortly after, or at once (before a `read`, which is clamped to what was
 * acked, and on `caught_up`). What is not acked comes again next time.
 */
export class Acks {
  private highest = 0;
  private acked = 0;
  private timer: number | undefined;

  constructor(private readonly conn: Connection) {}

  note(inboxSeq: number): void {
    if (inboxSeq <= this.highest) return;
    this.highest = inboxSeq;
    this.timer ??= window.setTimeout(() => this.flush(), ACK_DELAY_MS);
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.highest <= this.acked) return;
    if (this.conn.send({ type: "ack", inbox_seq: this.highest })) this.acked = this.highest;
  }

  /** A new connection: nothing of it is acked yet (the cursor is the server's). */
  reset(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.highest = 0;
    this.acked = 0;
  }
}
