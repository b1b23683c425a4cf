import { directConversationId, groupConversationId, ParleyError } from "@parley/common";
import assert from "node:assert/strict";
import { nameBasedUuid } from "@parley/common";
import { validateSend } from "../../src/domain/send.js";

const request = {
  senderId: "alice",
  senderDeviceId: "phone",
  clientMessageId: "c1",
  recipientId: "bob",
  conversationId: "",
  mediaId: "",
  body: "hi",
  retry: false,
};

describe("svc-delivery send validation", () => {
  it("should derive the conversation and the idempotency key", () => {
    const send = validateSend(request, 100);
    assert.equal(send.conversationId, directConversationId("bob", "alice"));
    assert.equal(send.idempotencyKey, "alice:phone:c1");
    assert.equal(send.messageId, nameBasedUuid("alice:phone:c1"));
  });

  it("should refuse a body with a lone surrogate, which JSON can carry", () => {
    assert.throws(
      () => validateSend({ ...request, body: "bad \ud800 text" }, 100),
      (err: ParleyError) => err.code === "invalid_argument" && /UTF-8/.test(err.message),
    );
  });

  it("should refuse a body with a NUL character, which Postgres text cannot hold", () => {
    assert.throws(() => validateSend({ ...request, body: "a\0b" }, 100), /NUL/);
  });

  it("should count the body limit in UTF-8 bytes, not characters", () => {
    assert.doesNotThrow(() => validateSend({ ...request, body: "é".repeat(50) }, 100));
    assert.throws(() => validateSend({ ...request, body: "é".repeat(51) }, 100), /102 bytes/);
  });

  it("should derive distinct, stable, RFC 9562 version 8 ids from distinct keys", () => {
    const a = nameBasedUuid("alice:phone:c1");
    assert.equal(nameBasedUuid("alice:phone:c1"), a);
    assert.notEqual(nameBasedUuid("alice:phone:c2"), a);
    assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("should take a group id as the conversation of a group send, with no recipient", () => {
    const group = groupConversationId("alice", "r1");
    const send = validateSend({ ...request, recipientId: "", conversationId: group }, 100);
    assert.equal(send.conversationId, group);
    assert.equal(send.recipientId, null);
  });

  it("should take media with an optional caption, and want a body without media", () => {
    const mediaId = "3f2a9c1e-8b7d-4c6a-9e5f-0a1b2c3d4e5f";
    const bare = validateSend({ ...request, body: "", mediaId }, 100);
    assert.equal(bare.mediaId, mediaId);
    assert.equal(bare.body, "");
    assert.equal(validateSend({ ...request, body: "look", mediaId }, 100).body, "look");
    assert.equal(validateSend(request, 100).mediaId, null);
    assert.throws(
      () => validateSend({ ...request, body: "" }, 100),
      (err: ParleyError) => /body must not be empty without media/.test(err.message),
    );
    assert.throws(
      () => validateSend({ ...request, mediaId: "../x" }, 100),
      (err: ParleyError) => err.code === "invalid_argument" && /media_id/.test(err.message),
    );
  });

  const targets: [string, string, string, RegExp][] = [
    ["both targets", "bob", groupConversationId("alice", "r1"), /not both/],
    ["neither target", "", "", /recipient_id \(1:1\) or conversation_id \(group\)$/],
    ["a 1:1 id as conversation_id", "", directConversationId("alice", "bob"), /group id/],
    ["a malformed conversation_id", "", "g_has space", /group id/],
  ];
  for (const [what, recipientId, conversationId, reason] of targets) {
    it(`should refuse ${what} with a reason`, () => {
      assert.throws(
        () => validateSend({ ...request, recipientId, conversationId }, 100),
        (err: ParleyError) => err.code === "invalid_argument" && reason.test(err.message),
      );
    });
  }
});
