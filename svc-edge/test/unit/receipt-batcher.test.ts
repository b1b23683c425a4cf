import assert from "node:assert/strict";
import { createLogger, ParleyError } from "@parley/common";
import type {
  RecordReceiptsRequest,
  RecordReceiptsResponse,
} from "@parley/proto/parley/history/v1/conversations";
import { ReceiptBatcher, type ReceiptSink } from "../../src/receipts/receipt-batcher.js";

/** Records every call; answers from `answer`, which a test may replace. */
class FakeSink implements ReceiptSink {
  readonly calls: RecordReceiptsRequest[] = [];
  answer: (req: RecordReceiptsRequest) => Promise<RecordReceiptsResponse> = async (req) => ({
    results: req.updates.map((u) => ({
      errorCode: "",
      errorReason: "",
      deliveredSeq: u.deliveredSeq,
      readSeq: Math.min(u.readSeq, u.deliveredSeq),
    })),
  });

  recordReceipts(request: RecordReceiptsRequest): Promise<RecordReceiptsResponse> {
    this.calls.push(structuredClone(request));
    return this.answer(request);
  }
}

const log = createLogger("test", "silent");
/** Never fires within a test: flushes are called by hand. */
const NEVER_MS = 3_600_000;

describe("ReceiptBatcher", () => {
  let sink: FakeSink;
  let batcher: ReceiptBatcher;

  beforeEach(() => {
    sink = new FakeSink();
    batcher = new ReceiptBatcher(sink, NEVER_MS, log);
  });

  it("should send the highest delivered seq per (user, conversation) in one call per flush", async () => {
    batcher.delivered("ann", "d_a", 5);
    batcher.delivered("ann", "d_a", 9);
    batcher.delivered("ann", "d_a", 7);
    batcher.delivered("ann", "g_b", 3);
    batcher.delivered("bob", "d_a", 4);
    await batcher.flush();
    assert.equal(sink.calls.length, 1);
    assert.deepEqual(sink.calls[0]!.updates, [
      { userId: "ann", conversationId: "d_a", deliveredSeq: 9, readSeq: 0 },
      { userId: "ann", conversationId: "g_b", deliveredSeq: 3, readSeq: 0 },
      { userId: "bob", conversationId: "d_a", deliveredSeq: 4, readSeq: 0 },
    ]);
    await batcher.flush();
    assert.equal(sink.calls.length, 1, "nothing pending, no call");
  });

  it("should keep a failed flush's watermarks for the next one, raised by newer acks", async () => {
    sink.answer = async () => {
      throw ParleyError.unavailable("history down");
    };
    batcher.delivered("ann", "d_a", 5);
    batcher.delivered("ann", "g_b", 8);
    await batcher.flush();
    batcher.delivered("ann", "d_a", 6);
    batcher.delivered("ann", "g_b", 2);
    sink.answer = new FakeSink().answer;
    await batcher.flush();
    assert.equal(sink.calls.length, 2);
    assert.deepEqual(
      sink.calls[1]!.updates.map((u) => [u.conversationId, u.deliveredSeq]),
      [
        ["d_a", 6],
        ["g_b", 8],
      ],
    );
  });

  it("should drop updates svc-history refused, since they would be refused again", async () => {
    sink.answer = async (req) => ({
      results: req.updates.map(() => ({
        errorCode: "permission_denied",
        errorReason: "not a member",
        deliveredSeq: 0,
        readSeq: 0,
      })),
    });
    batcher.delivered("ann", "g_left", 5);
    await batcher.flush();
    await batcher.flush();
    assert.equal(sink.calls.length, 1);
  });

  it("should send a read at once with the conversation's pending delivered seq", async () => {
    batcher.delivered("ann", "d_a", 7);
    batcher.delivered("ann", "g_b", 3);
    const result = await batcher.read("ann", "d_a", 9);
    assert.deepEqual(sink.calls[0]!.updates, [
      { userId: "ann", conversationId: "d_a", deliveredSeq: 7, readSeq: 9 },
    ]);
    assert.deepEqual([result.deliveredSeq, result.readSeq], [7, 7]);
    await batcher.flush();
    assert.deepEqual(
      sink.calls[1]!.updates.map((u) => u.conversationId),
      ["g_b"],
      "the read took d_a's pending watermark",
    );
  });

  it("should carry the watermark of a flush in flight in a read", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const answer = sink.answer;
    sink.answer = async (req) => {
      await held;
      return answer(req);
    };
    batcher.delivered("ann", "d_a", 7);
    const flushing = batcher.flush();
    sink.answer = answer;
    await batcher.read("ann", "d_a", 7);
    assert.equal(sink.calls[1]!.updates[0]!.deliveredSeq, 7);
    release();
    await flushing;
  });

  it("should keep the pending delivered seq when the read is refused or fails", async () => {
    batcher.delivered("ann", "d_a", 7);
    sink.answer = async () => ({
      results: [
        { errorCode: "invalid_argument", errorReason: "beyond", deliveredSeq: 0, readSeq: 0 },
      ],
    });
    const refused = await batcher.read("ann", "d_a", 1_000_000);
    assert.equal(refused.errorCode, "invalid_argument");
    sink.answer = async () => {
      throw ParleyError.unavailable("history down");
    };
    await assert.rejects(batcher.read("ann", "d_a", 7), /history down/);
    sink.answer = new FakeSink().answer;
    await batcher.flush();
    assert.deepEqual(sink.calls.at(-1)!.updates, [
      { userId: "ann", conversationId: "d_a", deliveredSeq: 7, readSeq: 0 },
    ]);
  });

  it("should send what is pending when stopped", async () => {
    batcher.start();
    batcher.delivered("ann", "d_a", 4);
    await batcher.stop();
    assert.equal(sink.calls.length, 1);
  });

  it("should send each watermark once it has waited the interval, not all at once", async () => {
    const timed = new ReceiptBatcher(sink, 1_000, log);
    timed.start();
    try {
      timed.delivered("ann", "d_a", 1);
      await new Promise((resolve) => setTimeout(resolve, 500));
      timed.delivered("bob", "d_b", 2);
      // Raising a pending watermark does not restart its wait.
      timed.delivered("ann", "d_a", 3);
      while (sink.calls.length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual(
        sink.calls.map((c) => c.updates.map((u) => [u.userId, u.deliveredSeq])),
        [[["ann", 3]], [["bob", 2]]],
      );
    } finally {
      await timed.stop();
    }
  });
});
