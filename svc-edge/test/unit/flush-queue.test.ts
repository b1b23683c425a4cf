import assert from "node:assert/strict";
import { FlushQueue } from "../../src/delivery/flush-queue.js";

/** A queue on a clock the test sets. */
function queueAt(waitMs: number) {
  const clock = { now: 0 };
  const queue = new FlushQueue(waitMs, () => clock.now);
  const at = (now: number) => {
    clock.now = now;
    return queue;
  };
  return { queue, at };
}

describe("FlushQueue", () => {
  it("should hand out each key once it has waited, oldest first, and keep the rest", () => {
    const { queue, at } = queueAt(1_000);
    at(0).add("a");
    at(400).add("b");
    at(900).add("c");
    assert.deepEqual(at(999).takeDue(), []);
    assert.deepEqual(at(1_400).takeDue(), ["a", "b"]);
    assert.equal(queue.size, 1);
    assert.deepEqual(at(1_900).takeDue(), ["c"]);
    assert.equal(queue.size, 0);
  });

  it("should not restart the wait of a key pending again before it is due", () => {
    const { at } = queueAt(1_000);
    at(0).add("a");
    at(100).add("b");
    at(800).add("a");
    assert.deepEqual(at(1_000).takeDue(), ["a"]);
    // Taken, then pending again: it waits anew, behind b.
    at(1_050).add("a");
    assert.deepEqual(at(1_100).takeDue(), ["b"]);
    assert.deepEqual(at(2_050).takeDue(), ["a"]);
  });

  it("should forget a deleted key and tick at a tenth of the wait", () => {
    const { queue, at } = queueAt(1_000);
    at(0).add("a");
    queue.delete("a");
    assert.deepEqual(at(5_000).takeDue(), []);
    assert.equal(queue.tickMs, 100);
    assert.equal(new FlushQueue(5).tickMs, 1);
  });
});
