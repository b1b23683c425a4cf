/**
 * A token bucket: `burst` requests at once, refilled at `perSecond`. Two
 * numbers per connection and no timer, so it costs nothing while idle.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.updatedAt = now();
  }

  /** Takes a token if one is left. */
  take(): boolean {
    const now = this.now();
    const refill = ((now - this.updatedAt) / 1000) * this.perSecond;
    this.tokens = Math.min(this.burst, this.tokens + refill);
    this.updatedAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
