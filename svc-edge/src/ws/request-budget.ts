import { TokenBucket } from "./token-bucket.js";

/**
 * What one connection may ask of the edge. Requests that reach another
 * service (send, history) and frames answered with an error take a token
 * from one bucket; when it is empty they are refused (rate_limited).
 * Refusals draw from a second bucket, twice the size, refilled at the same
 * rate: a client that keeps sending past it is to be closed (4429), so no
 * client makes the edge answer it with errors without bound.
 */
export class RequestBudget {
  private readonly requests: TokenBucket;
  private readonly refusals: TokenBucket;
  private spent = false;

  constructor(perSecond: number, burst: number, now: () => number = Date.now) {
    this.requests = new TokenBucket(perSecond, burst, now);
    this.refusals = new TokenBucket(perSecond, 2 * burst, now);
  }

  /** Takes a token; false when the request is to be refused. */
  take(): boolean {
    if (this.requests.take()) return true;
    if (!this.refusals.take()) this.spent = true;
    return false;
  }

  /** True once refusals ran out too: the connection should end. */
  get exhausted(): boolean {
    return this.spent;
  }
}
