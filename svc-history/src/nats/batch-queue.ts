/**
 * Collects items into batches: a batch starts with the first item that
 * arrives and closes when it is full or `maxWaitMs` later, so a light load
 * is written within a few milliseconds and a heavy one in full batches.
 *
 * Items are keyed: pushing a key already queued replaces the item in place.
 * A JetStream redelivery of an entry still waiting thus takes the older
 * delivery's slot, and the queue holds at most one item per pending entry.
 */
export class BatchQueue<T> {
  private readonly items = new Map<number, T>();
  private waiter: { need: number; wake: () => void } | undefined;
  private closed = false;

  constructor(
    private readonly maxItems: number,
    private readonly maxWaitMs: number,
  ) {}

  get size(): number {
    return this.items.size;
  }

  push(key: number, item: T): void {
    if (this.closed) return;
    this.items.set(key, item);
    if (this.waiter && this.items.size >= this.waiter.need) this.waiter.wake();
  }

  /** The next batch; empty once the queue is closed. */
  async next(): Promise<T[]> {
    await this.waitFor(1);
    if (this.closed) return [];
    await this.waitFor(this.maxItems, this.maxWaitMs);
    if (this.closed) return [];
    return this.take();
  }

  /** Ends `next()` and drops what is queued: unacked, it will be redelivered. */
  close(): void {
    this.closed = true;
    this.items.clear();
    this.waiter?.wake();
  }

  private take(): T[] {
    const batch: T[] = [];
    for (const [key, item] of this.items) {
      if (batch.length === this.maxItems) break;
      batch.push(item);
      this.items.delete(key);
    }
    return batch;
  }

  private waitFor(need: number, timeoutMs?: number): Promise<void> {
    if (this.closed || this.items.size >= need) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => wake(), timeoutMs);
      const wake = () => {
        clearTimeout(timer);
        this.waiter = undefined;
        resolve();
      };
      this.waiter = { need, wake };
    });
  }
}
