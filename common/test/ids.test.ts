import assert from "node:assert/strict";
import {
  directConversationId,
  isValidConversationId,
  isValidId,
  requireId,
  ParleyError,
} from "../src/index.js";

describe("common ids", () => {
  it("should accept ids that are safe as NATS subject tokens and refuse the rest", () => {
    for (const ok of ["alice", "A_b-9", "x".repeat(64)]) assert.ok(isValidId(ok), ok);
    for (const bad of ["", "a.b", "a b", "a*", "a>", "x".repeat(65), "é", 42, null]) {
      assert.ok(!isValidId(bad), String(bad));
    }
  });

  it("should name the field in the error of a bad id", () => {
    assert.throws(
      () => requireId("recipient_id", "no spaces"),
      (err: ParleyError) => err.code === "invalid_argument" && /recipient_id/.test(err.message),
    );
  });

  it("should derive one 1:1 conversation id whichever user comes first", () => {
    const id = directConversationId("alice", "bob");
    assert.equal(directConversationId("bob", "alice"), id);
    assert.notEqual(directConversationId("alice", "carol"), id);
    assert.ok(isValidConversationId(id));
  });

  it("should not let user ids that share a prefix collide", () => {
    assert.notEqual(directConversationId("ab", "c"), directConversationId("a", "bc"));
  });
});
