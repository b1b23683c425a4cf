import assert from "node:assert/strict";
import { TokenBucket } from "../../src/ws/token-bucket.js";

describe("TokenBucket", () => {
  it("should allow a burst, then refill at the rate", () => {
    let now = 0;
    const bucket = new TokenBucket(2, 3, () => now);
    assert.deepEqual(
      [bucket.take(), bucket.take(), bucket.take(), bucket.take()],
      [true, true, true, false],
    );
    now += 500; // one token at 2 per second
    assert.equal(bucket.take(), true);
    assert.equal(bucket.take(), false);
    now += 60_000; // never more than the burst
    assert.deepEqual(
      [bucket.take(), bucket.take(), bucket.take(), bucket.take()],
      [true, true, true, false],
    );
  });
});
