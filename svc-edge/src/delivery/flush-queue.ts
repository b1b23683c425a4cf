/**
 * Keys waiting to be written, each due a fixed time after it first became
 * pending; later changes to a pending key do not restart its wait, so one
 * write carries them all. A process-wide timer that wrote every pending
 * key at once turned each interval into a burst (every device's cursor,
 * every pending receipt) that the messages arriving meanwhile queued
 * behind: it was most of the 1:1 p99 latency. Ticking often and taking
 * only the keys that are due keeps each key's wait and spreads the writes.
 */
export class FlushQueue {
  /** When each key became pending, in that order (a Map keeps insertion order). */
  private readonly since = new Map<string, number>();

  constructor(
    /** How long a key waits, from first pending to due. */
    readonly waitMs: number,
    /** A monotonic clock: a wall clock stepping back would hold every key. */
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** How often a holder should take what is due: a tenth of the wait. */
  get tickMs(): number {
    return Math.max(1, Math.floor(this.waitMs / 10));
  }

  get size(): number {
    return this.since.size;
  }

  /** Marks the key pending from now; a key already pending keeps its place. */
  add(key: string): void {
    if (!this.since.has(key)) this.since.set(key, this.now());
  }

  delete(key: string): void {
    this.since.delete(key);
  }

  clear(): void {
    this.since.clear();
  }

  /** Removes and returns the keys pending for at least the wait, oldest first. */
  takeDue(): string[] {
    const now = this.now();
    const due: string[] = [];
    for (const [key, since] of this.since) {
      if (now - since < this.waitMs) break;
      due.push(key);
      this.since.delete(key);
    }
    return due;
  }
}
