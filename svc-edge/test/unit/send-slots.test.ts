import assert from "node:assert/strict";
import { EdgeOverloaded } from "../../src/errors.js";
import { SendSlots } from "../../src/grpc/send-slots.js";

describe("SendSlots", () => {
  it("should hand slots to waiting sends in arrival order, thousands deep", async () => {
    const slots = new SendSlots(2, 5_000);
    assert.equal(slots.acquire(), undefined);
    assert.equal(slots.acquire(), undefined);
    const order: number[] = [];
    const turns = Array.from({ length: 5_000 }, (_, i) =>
      slots.acquire()!.then(() => order.push(i)),
    );
    assert.equal(slots.waiting, 5_000);
    assert.throws(() => slots.acquire(), EdgeOverloaded);
    for (let i = 0; i < 5_000; i++) slots.release();
    await Promise.all(turns);
    assert.deepEqual(
      order,
      Array.from({ length: 5_000 }, (_, i) => i),
    );
    assert.equal(slots.waiting, 0);
    // The two slots the waiting sends took over are still in use.
    slots.release();
    slots.release();
    assert.equal(slots.acquire(), undefined);
    assert.equal(slots.acquire(), undefined);
    assert.notEqual(slots.acquire(), undefined);
  });

  it("should refuse without a stack trace, as shedding is meant to be cheap", () => {
    const slots = new SendSlots(1, 0);
    slots.acquire();
    try {
      slots.acquire();
      assert.fail("not refused");
    } catch (err) {
      assert.ok(err instanceof EdgeOverloaded);
      assert.equal(err.code, "unavailable");
      assert.doesNotMatch(err.stack ?? "", /\n\s+at /);
    }
  });
});
