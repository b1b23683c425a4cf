import {
  MembershipChange_Action,
  type ConversationEvent,
} from "@parley/proto/parley/events/v1/events";
import assert from "node:assert/strict";
import { GroupDeployment } from "./support/group-deployment.js";

/** What a member saw, in inbox order: message bodies and membership actions. */
const seen = (events: ConversationEvent[]) =>
  events.map((e) =>
    e.membership ? MembershipChange_Action[e.membership.action] : (e.text?.body ?? "receipt"),
  );

describe("svc-delivery group fanout", () => {
  let d: GroupDeployment;

  before(async () => {
    d = await GroupDeployment.start();
  });

  after(async () => {
    await d?.stop();
  });

  it("should deliver every message of a group of 10 to each member once, in one order", async () => {
    const users = Array.from({ length: 10 }, (_, i) => `ten${i}`);
    const group = await d.createGroup(users[0]!, users.slice(1));
    const replies = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        d.send({ senderId: users[0], conversationId: group, body: `m${i}` }),
      ),
    );
    const bySeq = [...replies].sort((a, b) => a.seq - b.seq);
    const expected = ["ACTION_CREATED", ...bySeq.map((r) => `m${replies.indexOf(r)}`)];
    for (const user of users) {
      const events = await d.waitForInbox(user, 31);
      assert.deepEqual(seen(events), expected, user);
      assert.equal(new Set(events.map((e) => e.messageId)).size, 31, `${user}: no doubles`);
      // Inbox copies leave the member list out.
      assert.ok(events.every((e) => e.memberIds.length === 0));
    }
    await d.fannedOut(group, bySeq.at(-1)!.seq);
    for (const user of users) assert.equal(await d.inboxCount(user), 31, `${user}: nothing more`);
  });

  it("should give every member one identical order when two members send at once", async () => {
    const users = Array.from({ length: 10 }, (_, i) => `two${i}`);
    const group = await d.createGroup(users[0]!, users.slice(1));
    const from = (sender: string) =>
      Array.from({ length: 25 }, (_, i) =>
        d.send({ senderId: sender, conversationId: group, body: `${sender}-${i}` }),
      );
    await Promise.all([...from(users[0]!), ...from(users[1]!)]);
    const orders = await Promise.all(users.map(async (u) => seen(await d.waitForInbox(u, 51))));
    for (const order of orders.slice(1)) assert.deepEqual(order, orders[0]);
    // Each sender's own messages keep their order within the one order.
    const mine = orders[0]!.filter((b) => b.startsWith(`${users[1]}-`));
    assert.equal(mine.length, 25);
  });

  it("should send nothing after a removal to the removed member, even under an older stamp", async () => {
    const group = await d.createGroup("ra", ["rb", "rc"]);
    await d.send({ senderId: "ra", conversationId: group, body: "before" });
    // The removal is in the log, but the sender's cache has not heard of it:
    // the next send is stamped with the old list, rb included.
    await d.change(group, "ra", MembershipChange_Action.ACTION_REMOVED, ["rb"], {
      after: ["ra", "rc"],
      announce: false,
    });
    const after = await d.send({ senderId: "ra", conversationId: group, body: "after" });
    const stamped = await d.logEntry(after.seq);
    assert.ok(stamped.memberIds.includes("rb"), "the stamp predates the removal");
    assert.equal(stamped.membershipVersion, 1);

    await d.fannedOut(group, after.seq);
    for (const user of ["ra", "rc"]) {
      assert.deepEqual(seen(await d.inbox(user)), [
        "ACTION_CREATED",
        "before",
        "ACTION_REMOVED",
        "after",
      ]);
    }
    // The removed member sees its own removal, and nothing after it.
    const removed = await d.inbox("rb");
    assert.deepEqual(seen(removed), ["ACTION_CREATED", "before", "ACTION_REMOVED"]);
    assert.deepEqual(removed[2]!.membership?.userIds, ["rb"]);
  });

  it("should send a new member what follows its joining, and nothing before", async () => {
    const group = await d.createGroup("na", ["nb"]);
    await d.send({ senderId: "na", conversationId: group, body: "before" });
    await d.change(group, "na", MembershipChange_Action.ACTION_ADDED, ["nc"], {
      after: ["na", "nb", "nc"],
    });
    // A send that read the list before the join, reaching the log after it.
    const stale = await d.appendToLog({
      conversationId: group,
      senderId: "nb",
      senderDeviceId: "phone",
      memberIds: ["na", "nb"],
      membershipVersion: 1,
      text: { body: "raced the join", media: undefined },
    });
    const after = await d.send({ senderId: "nc", conversationId: group, body: "hello from nc" });
    assert.equal((await d.logEntry(after.seq)).membershipVersion, 2);

    await d.fannedOut(group, Math.max(stale, after.seq));
    const expected = ["ACTION_ADDED", "raced the join", "hello from nc"];
    assert.deepEqual(seen(await d.inbox("nc")), expected);
    assert.deepEqual(seen(await d.inbox("na")), ["ACTION_CREATED", "before", ...expected]);
  });

  it("should fan receipts out to the members like messages", async () => {
    const group = await d.createGroup("ka", ["kb", "kc"]);
    const seq = await d.appendToLog({
      conversationId: group,
      senderId: "kb",
      senderDeviceId: "server",
      memberIds: ["ka", "kb", "kc"],
      membershipVersion: 1,
      receipt: { userId: "kb", deliveredSeq: 5, readSeq: 3 },
    });
    await d.fannedOut(group, seq);
    for (const user of ["ka", "kb", "kc"]) {
      const events = await d.inbox(user);
      assert.deepEqual(seen(events), ["ACTION_CREATED", "receipt"]);
      assert.deepEqual(events[1]!.receipt, { userId: "kb", deliveredSeq: 5, readSeq: 3 });
      assert.equal(events[1]!.seq, seq);
    }
  });
});
