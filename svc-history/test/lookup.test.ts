import assert from "node:assert/strict";
import { callUnary, type ParleyError } from "@parley/common";
import type {
  LookupMessageRequest,
  LookupMessageResponse,
} from "@parley/proto/parley/history/v1/history";
import { randomUUID } from "node:crypto";
import { HistoryDeployment } from "./helpers/deployment.js";
import { directPair, textEvents } from "./helpers/events.js";

describe("svc-history LookupMessage", function () {
  let d: HistoryDeployment;
  afterEach(async () => d?.dispose());

  const lookup = (request: LookupMessageRequest) =>
    callUnary<LookupMessageRequest, LookupMessageResponse>(
      d.client,
      d.client.lookupMessage,
      request,
      5_000,
    );

  it("should find a stored message by id, and say when one is not stored", async () => {
    d = await HistoryDeployment.start();
    const { alice, bob, conversationId } = directPair();
    const events = textEvents(conversationId, alice, [alice, bob], 3);
    const seqs = await d.publishAll(events);
    await d.waitForStored(conversationId, 3);

    const found = await lookup({ conversationId, messageId: events[1]!.messageId });
    assert.deepEqual(found, { found: true, seq: seqs[1], sentAtMs: events[1]!.sentAtMs });
    const missing = await lookup({ conversationId, messageId: randomUUID() });
    assert.deepEqual(missing, { found: false, seq: 0, sentAtMs: 0 });
  });

  it("should refuse malformed ids with invalid_argument", async () => {
    d = await HistoryDeployment.start();
    const { conversationId } = directPair();
    for (const request of [
      { conversationId, messageId: "not-a-uuid" },
      { conversationId: "no spaces allowed", messageId: randomUUID() },
    ]) {
      await assert.rejects(lookup(request), (err: ParleyError) => err.code === "invalid_argument");
    }
  });
});
