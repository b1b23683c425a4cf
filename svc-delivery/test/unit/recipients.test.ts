import { ConversationEvent, MembershipChange_Action } from "@parley/proto/parley/events/v1/events";
import assert from "node:assert/strict";
import { recipientsOf } from "../../src/domain/recipients.js";
import { MembershipSnapshots } from "../../src/membership/membership-snapshots.js";

const text = (version: number, memberIds: string[]) =>
  ConversationEvent.fromPartial({
    conversationId: "g_x",
    memberIds,
    membershipVersion: version,
    text: { body: "hi" },
  });

const change = (
  version: number,
  memberIds: string[],
  action: MembershipChange_Action,
  userIds: string[],
) =>
  ConversationEvent.fromPartial({
    conversationId: "g_x",
    memberIds,
    membershipVersion: version,
    membership: { action, actorId: "alice", userIds },
  });

describe("svc-delivery recipients", () => {
  it("should send a message to its stamped members when the log showed nothing newer", () => {
    assert.deepEqual(recipientsOf(text(2, ["a", "b"]), { version: 2, memberIds: ["a"] }), [
      "a",
      "b",
    ]);
    assert.deepEqual(recipientsOf(text(2, ["a", "b"]), undefined), ["a", "b"]);
  });

  it("should send a message stamped before a change to the members after it", () => {
    assert.deepEqual(recipientsOf(text(1, ["a", "b"]), { version: 2, memberIds: ["a"] }), ["a"]);
  });

  it("should send a removal to the members after it and to the removed user", () => {
    const removal = change(3, ["a", "c"], MembershipChange_Action.ACTION_REMOVED, ["b"]);
    assert.deepEqual(recipientsOf(removal, { version: 2, memberIds: ["a", "b", "c"] }), [
      "a",
      "c",
      "b",
    ]);
  });

  it("should send a leave to the one who left, and a promotion to the members only", () => {
    const left = change(3, ["c"], MembershipChange_Action.ACTION_LEFT, ["a"]);
    assert.deepEqual(recipientsOf(left, undefined), ["c", "a"]);
    const promoted = change(4, ["c"], MembershipChange_Action.ACTION_PROMOTED, ["c"]);
    assert.deepEqual(recipientsOf(promoted, undefined), ["c"]);
  });

  it("should keep the newest membership the log showed, ignoring redelivered older ones", () => {
    const snapshots = new MembershipSnapshots(100);
    snapshots.learn(change(3, ["a", "c"], MembershipChange_Action.ACTION_REMOVED, ["b"]));
    snapshots.learn(change(2, ["a", "b", "c"], MembershipChange_Action.ACTION_ADDED, ["c"]));
    snapshots.learn(text(9, ["z"]));
    assert.deepEqual(snapshots.get("g_x"), { version: 3, memberIds: ["a", "c"] });
  });
});
