import assert from "node:assert/strict";
import { RequestBudget } from "../../src/ws/request-budget.js";

describe("RequestBudget", () => {
  it("should refuse past the burst, then run out after twice as many refusals", () => {
    const budget = new RequestBudget(1, 2, () => 0);
    assert.deepEqual([budget.take(), budget.take()], [true, true]);
    for (let i = 0; i < 4; i++) assert.equal(budget.take(), false);
    assert.equal(budget.exhausted, false, "four refusals are within the budget");
    assert.equal(budget.take(), false);
    assert.equal(budget.exhausted, true);
  });

  it("should refill refusals at the request rate", () => {
    let now = 0;
    const budget = new RequestBudget(1, 1, () => now);
    // One request a second passes; a refused one in between never adds up.
    for (let second = 0; second < 10; second++) {
      assert.equal(budget.take(), true);
      assert.equal(budget.take(), false);
      now += 1_000;
    }
    assert.equal(budget.exhausted, false);
  });
});
