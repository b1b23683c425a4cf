import { ConversationEvent, MembershipChange_Action } from "@parley/proto/parley/events/v1/events";
import assert from "node:assert/strict";
import { recipientsOf } from "../../src/domain/recipients.js";
import { MembershipSnapshots } from "../../src/membership/membership-snapshots.js";

/** Log entries at seq 100 unless said otherwise; snapshots learned before. */
const text = (version: number, memberIds: string[], seq = 100) =>
  ConversationEvent.fromPartial({
    conversationId: "g_x",
    seq,
    memberIds,
    membershipVersion: version,
    text: { body: "hi" },
  });

const receipt = (version: number, memberIds: string[]) =>
  ConversationEvent.fromPartial({
    conversationId: "g_x",
    seq: 100,
    memberIds,
    membershipVersion: version,
    receipt: { userId: "b", deliveredSeq: 7, readSeq: 7 },
  });

const change = (
  version: number,
  memberIds: string[],
  action: MembershipChange_Action,
  userIds: string[],
  seq = 50,
) =>
  ConversationEvent.fromPartial({
    conversationId: "g_x",
    seq,
    memberIds,
    membershipVersion: version,
    membership: { action, actorId: "alice", userIds },
  });

const snapshot = (version: number, memberIds: string[], seq = 50) => ({ version, memberIds, seq });

describe("svc-delivery recipients", () => {
  it("should send a message to its stamped members when the log showed nothing newer", () => {
    assert.deepEqual(recipientsOf(text(2, ["a", "b"]), snapshot(2, ["a"])), ["a", "b"]);
    assert.deepEqual(recipientsOf(text(2, ["a", "b"]), undefined), ["a", "b"]);
  });

  it("should send a message stamped before a change to the members after it", () => {
    assert.deepEqual(recipientsOf(text(1, ["a", "b"]), snapshot(2, ["a"])), ["a"]);
  });

  it("should judge a redelivered entry by its stamp, not by a change later in the log", () => {
    assert.deepEqual(recipientsOf(text(1, ["a", "b"], 40), snapshot(2, ["a"], 50)), ["a", "b"]);
  });

  it("should send a receipt to the users it names, minus those a newer change took out", () => {
    assert.deepEqual(recipientsOf(receipt(1, ["b", "c"]), snapshot(2, ["a", "b"])), ["b"]);
    assert.deepEqual(recipientsOf(receipt(2, ["b", "c"]), snapshot(2, ["a", "b"])), ["b", "c"]);
  });

  it("should send a removal to the members after it and to the removed user", () => {
    const removal = change(3, ["a", "c"], MembershipChange_Action.ACTION_REMOVED, ["b"]);
    assert.deepEqual(recipientsOf(removal, snapshot(2, ["a", "b", "c"], 40)), ["a", "c", "b"]);
  });

  it("should send a leave to the one who left, and a promotion to the members only", () => {
    const left = change(3, ["c"], MembershipChange_Action.ACTION_LEFT, ["a"]);
    assert.deepEqual(recipientsOf(left, undefined), ["c", "a"]);
    const promoted = change(4, ["c"], MembershipChange_Action.ACTION_PROMOTED, ["c"]);
    assert.deepEqual(recipientsOf(promoted, undefined), ["c"]);
  });

  it("should keep the membership the log showed last, by seq, ignoring redeliveries", () => {
    const snapshots = new MembershipSnapshots(100);
    snapshots.learn(change(3, ["a", "c"], MembershipChange_Action.ACTION_REMOVED, ["b"], 30));
    snapshots.learn(change(2, ["a", "b", "c"], MembershipChange_Action.ACTION_ADDED, ["c"], 20));
    snapshots.learn(text(9, ["z"]));
    assert.deepEqual(snapshots.get("g_x"), snapshot(3, ["a", "c"], 30));
  });

  it("should follow the log when a version repeats (a change that rolled back)", () => {
    const snapshots = new MembershipSnapshots(100);
    snapshots.learn(change(2, ["a", "b", "x"], MembershipChange_Action.ACTION_ADDED, ["x"], 30));
    snapshots.learn(change(2, ["a", "b", "y"], MembershipChange_Action.ACTION_ADDED, ["y"], 31));
    assert.deepEqual(snapshots.get("g_x")?.memberIds, ["a", "b", "y"]);
  });
});
