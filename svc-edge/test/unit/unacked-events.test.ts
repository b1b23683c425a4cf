import assert from "node:assert/strict";
import { MAX_UNACKED_EVENTS, UnackedEvents } from "../../src/receipts/unacked-events.js";

describe("UnackedEvents", () => {
  it("should hand out the events a cumulative ack covers, in inbox order", () => {
    const events = new UnackedEvents();
    events.add({ inboxSeq: 3, conversationId: "d_a", seq: 10, sentAtMs: 1_000, live: true });
    events.add({ inboxSeq: 5, conversationId: "g_b", seq: 4, sentAtMs: 1_001, live: true });
    events.add({ inboxSeq: 9, conversationId: "d_a", seq: 12, sentAtMs: 1_002, live: false });
    assert.deepEqual(events.takeUpTo(2), []);
    assert.deepEqual(
      events.takeUpTo(6).map((e) => e.inboxSeq),
      [3, 5],
    );
    assert.equal(events.isEmpty, false);
    assert.deepEqual(
      events.takeUpTo(9).map((e) => e.seq),
      [12],
    );
    assert.equal(events.isEmpty, true);
  });

  it("should forget the oldest events past the cap", () => {
    const events = new UnackedEvents();
    for (let i = 1; i <= MAX_UNACKED_EVENTS + 2; i++) {
      events.add({ inboxSeq: i, conversationId: "d_a", seq: i, sentAtMs: i, live: true });
    }
    const taken = events.takeUpTo(Number.MAX_SAFE_INTEGER);
    assert.equal(taken.length, MAX_UNACKED_EVENTS);
    assert.equal(taken[0]!.inboxSeq, 3);
  });
});
