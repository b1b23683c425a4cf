/**
 * Runs at most `max` tasks at once; the others wait their turn in arrival
 * order. The edge shares one among all catch-up passes, so that a NATS
 * reconnect, which sends every session back to its stored inbox, does not
 * open a consumer per session at once.
 */
export class ConcurrencyLimit {
  private active = 0;
  // A queue with a moving head: shift() is linear, and after a reconnect
  // the queue can hold every session of the process.
  private waiting: (() => void)[] = [];
  private head = 0;

  constructor(private readonly max: number) {}

  /** Runs `task` once a slot is free; the slot is held until it settles. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active < this.max) this.active++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  /** Hands the slot straight to the next waiter, or frees it. */
  private release(): void {
    if (this.head === this.waiting.length) {
      this.active--;
      return;
    }
    const next = this.waiting[this.head++]!;
    if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.head);
      this.head = 0;
    }
    next();
  }
}
