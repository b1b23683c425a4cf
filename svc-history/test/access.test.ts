import assert from "node:assert/strict";
import { ErrorCode, ParleyError } from "@parley/common";
import type { GetHistoryRequest } from "@parley/proto/parley/history/v1/history";
import { HistoryDeployment } from "./helpers/deployment.js";
import { directPair, textEvents } from "./helpers/events.js";

/** The ParleyError a call failed with (callUnary maps the gRPC status back). */
async function failureOf(call: Promise<unknown>): Promise<ParleyError> {
  try {
    await call;
  } catch (err) {
    assert.ok(err instanceof ParleyError, `expected a ParleyError, got ${String(err)}`);
    return err;
  }
  assert.fail("the call succeeded");
}

describe("svc-history access and validation", function () {
  let d: HistoryDeployment;
  afterEach(async () => d?.dispose());

  it("should deny a non-member and an unknown conversation with the same reason", async function () {
    d = await HistoryDeployment.start();
    const { alice, bob, conversationId } = directPair();
    await d.publishAll(textEvents(conversationId, alice, [alice, bob], 1));
    await d.waitForStored(conversationId, 1);

    const outsider = await failureOf(d.history({ readerId: "mallory", conversationId }));
    const unknown = await failureOf(
      d.history({ readerId: alice, conversationId: "d_no-such-conversation" }),
    );
    assert.equal(outsider.code, ErrorCode.PermissionDenied);
    assert.equal(unknown.code, ErrorCode.PermissionDenied);
    assert.equal(outsider.message, unknown.message);
  });

  it("should answer INVALID_ARGUMENT naming the field for malformed requests", async function () {
    d = await HistoryDeployment.start();
    const { alice, conversationId } = directPair();
    const cases: [Partial<GetHistoryRequest>, RegExp][] = [
      [{ readerId: "not valid!", conversationId }, /reader_id/],
      [{ readerId: "", conversationId }, /reader_id/],
      [{ readerId: alice, conversationId: "no-prefix" }, /conversation_id/],
      [{ readerId: alice, conversationId, beforeSeq: 9, afterSeq: 3 }, /before_seq and after_seq/],
      [{ readerId: alice, conversationId, beforeSeq: 9, fromOldest: true }, /from_oldest/],
    ];
    for (const [request, reason] of cases) {
      const err = await failureOf(d.history(request));
      assert.equal(err.code, ErrorCode.InvalidArgument, JSON.stringify(request));
      assert.match(err.message, reason);
    }
  });
});
