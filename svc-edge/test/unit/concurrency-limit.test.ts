import assert from "node:assert/strict";
import { ConcurrencyLimit } from "../../src/delivery/concurrency-limit.js";

describe("ConcurrencyLimit", () => {
  it("should run at most max tasks at once, the others in arrival order", async () => {
    const limit = new ConcurrencyLimit(2);
    const started: number[] = [];
    const finish: (() => void)[] = [];
    let running = 0;
    let peak = 0;
    const tasks = [0, 1, 2, 3, 4].map((i) =>
      limit.run(async () => {
        started.push(i);
        peak = Math.max(peak, ++running);
        await new Promise<void>((resolve) => finish.push(resolve));
        running--;
        return i;
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(started, [0, 1]);
    while (finish.length > 0 || started.length < 5) {
      finish.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.deepEqual(await Promise.all(tasks), [0, 1, 2, 3, 4]);
    assert.deepEqual(started, [0, 1, 2, 3, 4]);
    assert.equal(peak, 2);
  });

  it("should free the slot of a task that failed", async () => {
    const limit = new ConcurrencyLimit(1);
    await assert.rejects(
      limit.run(() => Promise.reject(new Error("boom"))),
      /boom/,
    );
    assert.equal(await limit.run(async () => "next"), "next");
  });
});
