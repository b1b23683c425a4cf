import assert from "node:assert/strict";
import { decodeClientFrame } from "../../src/ws/codec.js";
import { RequestError } from "../../src/errors.js";

const limits = { maxBodyBytes: 1_000, maxUserIds: 10, maxWatchedUsers: 3 };
const decode = (frame: object) => decodeClientFrame(JSON.stringify(frame), limits);

/** Asserts the frame is refused with invalid_argument, a reason matching, and the given id. */
function refused(frame: object, reason: RegExp, id?: string): void {
  assert.throws(
    () => decode(frame),
    (err: unknown) =>
      err instanceof RequestError &&
      err.code === "invalid_argument" &&
      reason.test(err.message) &&
      err.requestId === id,
  );
}

describe("presence and typing frame validation", () => {
  it("should accept watch_presence with up to the cap of distinct users, or none", () => {
    assert.deepEqual(decode({ type: "watch_presence", id: "w1", user_ids: ["a", "b", "c"] }), {
      type: "watch_presence",
      id: "w1",
      user_ids: ["a", "b", "c"],
    });
    assert.deepEqual(decode({ type: "watch_presence", id: "w2", user_ids: [] }), {
      type: "watch_presence",
      id: "w2",
      user_ids: [],
    });
  });

  it("should refuse a malformed watch_presence", () => {
    refused({ type: "watch_presence", user_ids: [] }, /^id must be/);
    refused({ type: "watch_presence", id: "w", user_ids: "a" }, /^user_ids must be an array/, "w");
    refused({ type: "watch_presence", id: "w" }, /^user_ids must be an array/, "w");
    refused(
      { type: "watch_presence", id: "w", user_ids: ["a", "b", "c", "d"] },
      /over the 3 limit/,
      "w",
    );
    refused({ type: "watch_presence", id: "w", user_ids: ["a", "a"] }, /twice/, "w");
    refused({ type: "watch_presence", id: "w", user_ids: ["a.b"] }, /^user_ids\[0\]/, "w");
  });

  it("should accept typing with or without an id", () => {
    assert.deepEqual(decode({ type: "typing", conversation_id: "g_team" }), {
      type: "typing",
      conversation_id: "g_team",
    });
    assert.deepEqual(decode({ type: "typing", id: "t1", conversation_id: "d_Qm9i" }), {
      type: "typing",
      id: "t1",
      conversation_id: "d_Qm9i",
    });
  });

  it("should refuse a malformed typing", () => {
    refused({ type: "typing" }, /^conversation_id is missing/);
    refused({ type: "typing", id: "t1", conversation_id: "bob" }, /^conversation_id/, "t1");
    refused({ type: "typing", id: 7, conversation_id: "g_team" }, /^id must be/);
  });
});
