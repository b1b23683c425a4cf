import assert from "node:assert/strict";
import { HistoryDeployment, eventually } from "./helpers/deployment.js";
import { directPair, textEvents } from "./helpers/events.js";

const DAY = 24 * 60 * 60 * 1000;

describe("svc-history retention", function () {
  this.timeout(60_000);
  let d: HistoryDeployment;
  afterEach(async () => d?.dispose());

  it("should delete messages older than the window, batch by batch, and keep the rest", async () => {
    d = await HistoryDeployment.start({
      HISTORY_RETENTION_DAYS: "2",
      HISTORY_RETENTION_INTERVAL_MS: "200",
      // Smaller than the number of conversations: a pass takes several batches.
      HISTORY_RETENTION_BATCH: "2",
    });
    const now = Date.now();
    const conversations = Array.from({ length: 5 }, () => directPair());
    const expected = new Map<string, number[]>();
    for (const { alice, bob, conversationId } of conversations) {
      const events = textEvents(conversationId, alice, [alice, bob], 4).map((e, i) => ({
        ...e,
        // Two from three days ago, two from an hour ago.
        sentAtMs: i < 2 ? now - 3 * DAY : now - 60 * 60 * 1000,
      }));
      const seqs = await d.publishAll(events);
      expected.set(conversationId, seqs.slice(2));
    }
    for (const [conversationId, kept] of expected) {
      await eventually(
        async () => JSON.stringify(await d.storedSeqs(conversationId)) === JSON.stringify(kept),
        20_000,
        `old messages of ${conversationId} deleted`,
      );
    }
    // Passes may interleave with storing; together they delete exactly the
    // old ten (a pass logs its count once it has walked every conversation).
    const deletedSoFar = () =>
      d.service.logs
        .filter((l) => l.msg === "retention pass done")
        .reduce((sum, l) => sum + (l.deleted as number), 0);
    await eventually(async () => deletedSoFar() >= 10, 10_000, "passes logged");
    assert.equal(deletedSoFar(), 10);
  });
});
