import assert from "node:assert/strict";
import type { ConversationEvent } from "@parley/proto/parley/events/v1/events";
import { HistoryDeployment } from "./helpers/deployment.js";
import { directPair, textEvents } from "./helpers/events.js";

const PAGE = 37;

describe("svc-history paging under load", function () {
  this.timeout(120_000);
  let d: HistoryDeployment;
  afterEach(async () => d?.dispose());

  it("should page 1,000 equal-time messages both ways with no gap or repeat while more arrive", async () => {
    d = await HistoryDeployment.start();
    const { alice, bob, conversationId } = directPair();
    // Every message carries the same time: order must come from seq alone.
    const sameTime = (events: ConversationEvent[]) =>
      events.map((e) => ({ ...e, sentAtMs: 1_767_225_600_000 }));
    const all = sameTime(textEvents(conversationId, alice, [alice, bob], 1_100));
    const initial = await d.publishAll(all.slice(0, 1_000));
    await d.waitForStored(conversationId, 1_000, 60_000);

    // Backwards from the newest, inserting 100 more halfway through.
    const backwards: number[] = [];
    let later: number[] = [];
    let cursor = 0;
    for (let page = 0; ; page++) {
      const res = await d.history({
        readerId: bob,
        conversationId,
        beforeSeq: cursor,
        limit: PAGE,
      });
      const seqs = res.messages.map((m) => m.seq);
      assert.deepEqual(
        seqs,
        [...seqs].sort((a, b) => a - b),
        "a page is in seq order",
      );
      backwards.unshift(...seqs);
      if (page === 10) later = await d.publishAll(all.slice(1_000));
      if (!res.hasMore) break;
      assert.equal(res.messages.length, PAGE, "only the last page may be short");
      cursor = seqs[0]!;
    }
    assert.deepEqual(backwards, initial, "walking back sees each earlier message once");

    // Forwards from the oldest: every message, the late ones included.
    await d.waitForStored(conversationId, 1_100, 60_000);
    const forwards: number[] = [];
    let after = 0;
    for (let first = true; ; first = false) {
      const res = await d.history(
        first
          ? { readerId: bob, conversationId, fromOldest: true, limit: PAGE }
          : { readerId: bob, conversationId, afterSeq: after, limit: PAGE },
      );
      forwards.push(...res.messages.map((m) => m.seq));
      if (!res.hasMore) break;
      after = res.messages.at(-1)!.seq;
    }
    assert.deepEqual(forwards, [...initial, ...later]);
  });
});
