/**
 * Most delivered, unacked events a session remembers for receipts. A device
 * that reads but never acks would otherwise grow the list without bound;
 * past the cap the oldest are forgotten, which only delays a delivered
 * watermark until a later event of the same conversation is acked.
 */
export const MAX_UNACKED_EVENTS = 1_024;

/** A delivered event that counts toward the user's delivered watermark. */
export interface UnackedEvent {
  /** The inbox entry it came in, which the device's cumulative ack names. */
  inboxSeq: number;
  conversationId: string;
  /** Its seq in the conversation. */
  seq: number;
  /** When the server accepted it, for the delivery latency. */
  sentAtMs: number;
  /** Delivered as it arrived, not read back from the stream while catching up. */
  live: boolean;
}

/**
 * The events one session delivered and the device has not acked yet, in
 * inbox order. A session makes one on its first such delivery and drops it
 * once everything is acked, so an idle session holds none.
 */
export class UnackedEvents {
  private events: UnackedEvent[] = [];

  add(event: UnackedEvent): void {
    if (this.events.length >= MAX_UNACKED_EVENTS) this.events.shift();
    this.events.push(event);
  }

  /** Removes and returns the events an ack of `inboxSeq` covers. */
  takeUpTo(inboxSeq: number): UnackedEvent[] {
    let covered = 0;
    while (covered < this.events.length && this.events[covered]!.inboxSeq <= inboxSeq) covered++;
    return this.events.splice(0, covered);
  }

  get isEmpty(): boolean {
    return this.events.length === 0;
  }
}
