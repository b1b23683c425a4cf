import assert from "node:assert/strict";
import { FlushQueue } from "../../src/delivery/flush-queue.js";

describe("FlushQueue", () => {
  it("should hand out each key once it has waited, oldest first, and keep the rest", () => {
    const queue = new FlushQueue(1_000);
    queue.add("a", 0);
    queue.add("b", 400);
    queue.add("c", 900);
    assert.deepEqual(queue.takeDue(999), []);
    assert.deepEqual(queue.takeDue(1_400), ["a", "b"]);
    assert.equal(queue.size, 1);
    assert.deepEqual(queue.takeDue(1_900), ["c"]);
    assert.equal(queue.size, 0);
  });

  it("should not restart the wait of a key pending again before it is due", () => {
    const queue = new FlushQueue(1_000);
    queue.add("a", 0);
    queue.add("b", 100);
    queue.add("a", 800);
    assert.deepEqual(queue.takeDue(1_000), ["a"]);
    // Taken, then pending again: it waits anew, behind b.
    queue.add("a", 1_050);
    assert.deepEqual(queue.takeDue(1_100), ["b"]);
    assert.deepEqual(queue.takeDue(2_050), ["a"]);
  });

  it("should forget a deleted key and tick at a tenth of the wait", () => {
    const queue = new FlushQueue(1_000);
    queue.add("a", 0);
    queue.delete("a");
    assert.deepEqual(queue.takeDue(5_000), []);
    assert.equal(queue.tickMs, 100);
    assert.equal(new FlushQueue(5).tickMs, 1);
  });
});
