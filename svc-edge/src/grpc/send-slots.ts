import { EdgeOverloaded } from "../errors.js";

/**
 * The sends an edge process may have in progress at svc-delivery, and a
 * queue of those waiting for one of them. A send past the first bound
 * waits its turn, in arrival order; only past the second is it refused
 * (unavailable, retry).
 *
 * Refusing at once was cheap for one send and ruinous past saturation:
 * every refused send came back as a retry, so an edge over capacity spent
 * its time refusing, and goodput fell to a third of capacity. Waiting
 * costs nothing while it lasts, and the connection of a waiting send stops
 * reading (see Connection.pauseReading), so a client that keeps sending
 * fills its own socket buffers, not the edge's time.
 */
export class SendSlots {
  private inUse = 0;
  /** Turns of waiting sends, oldest at `head`. */
  private queue: (() => void)[] = [];
  private head = 0;

  constructor(
    private readonly maxInFlight: number,
    private readonly maxWaiting: number,
  ) {}

  /**
   * Takes a slot: undefined when one was free, else a promise resolved when
   * the send's turn comes. Throws EdgeOverloaded when the queue is full.
   */
  acquire(): Promise<void> | undefined {
    if (this.inUse < this.maxInFlight) {
      this.inUse++;
      return undefined;
    }
    if (this.waiting >= this.maxWaiting) throw EdgeOverloaded.shed();
    return new Promise((resolve) => this.queue.push(resolve));
  }

  /** Gives a slot back; the oldest waiting send takes it over. */
  release(): void {
    if (this.waiting === 0) {
      this.inUse--;
      return;
    }
    const next = this.queue[this.head++]!;
    if (this.head > 1_024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    next();
  }

  get waiting(): number {
    return this.queue.length - this.head;
  }
}
