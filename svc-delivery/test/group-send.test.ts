import { groupConversationId, ParleyError } from "@parley/common";
import { MembershipChange_Action } from "@parley/proto/parley/events/v1/events";
import assert from "node:assert/strict";
import { nameBasedUuid } from "@parley/common";
import { eventually } from "../../testkit/eventually.js";
import { GroupDeployment } from "./support/group-deployment.js";

const refusedWith = (code: string, reason: RegExp) => (err: ParleyError) => {
  assert.equal(err.code, code);
  assert.match(err.message, reason);
  return true;
};

describe("svc-delivery group sends", () => {
  let d: GroupDeployment;

  before(async () => {
    d = await GroupDeployment.start();
  });

  after(async () => {
    await d?.stop();
  });

  it("should stamp a group message with every member and the membership version", async () => {
    const group = await d.createGroup("alice", ["bob", "carol"]);
    const reply = await d.send({ conversationId: group, body: "hi all" });
    assert.equal(reply.conversationId, group);
    assert.equal(reply.duplicate, false);
    const entry = await d.logEntry(reply.seq);
    assert.deepEqual([...entry.memberIds].sort(), ["alice", "bob", "carol"]);
    assert.equal(entry.membershipVersion, 1);
    assert.equal(entry.senderId, "alice");
    assert.equal(entry.text?.body, "hi all");
  });

  it("should read a group's members once and serve later sends from the cache", async () => {
    const group = await d.createGroup("alice", ["bob"]);
    await d.send({ conversationId: group });
    await d.send({ conversationId: group, senderId: "bob" });
    await d.send({ conversationId: group });
    assert.equal(d.history.readsOf(group), 1);
    assert.deepEqual(
      d.history.reads.filter((r) => r.conversationId === group).map((r) => r.readerId),
      ["alice"],
    );
  });

  it("should read the members again once history announces a change", async () => {
    const group = await d.createGroup("alice", ["bob"]);
    await d.send({ conversationId: group });
    // Changed, but not yet announced: the cached list still decides.
    await d.change(group, "alice", MembershipChange_Action.ACTION_ADDED, ["carol"], {
      after: ["alice", "bob", "carol"],
      announce: false,
    });
    const stale = await d.send({ conversationId: group });
    assert.equal((await d.logEntry(stale.seq)).membershipVersion, 1);

    d.nc.publish(d.topology.membershipChangedSubject(group));
    await d.nc.flush();
    let version = 0;
    await eventually(
      async () => {
        const reply = await d.send({ conversationId: group });
        version = (await d.logEntry(reply.seq)).membershipVersion;
        return version === 2;
      },
      5_000,
      () => `a send stamped with version 2 (last: ${version})`,
    );
    assert.equal(d.history.readsOf(group), 2);
  });

  it("should refuse a removed member once the removal is announced", async () => {
    const group = await d.createGroup("alice", ["bob"]);
    await d.send({ conversationId: group, senderId: "bob" });
    await d.change(group, "alice", MembershipChange_Action.ACTION_REMOVED, ["bob"], {
      after: ["alice"],
    });
    let refusal: ParleyError | undefined;
    await eventually(
      async () => {
        refusal = await d.send({ conversationId: group, senderId: "bob" }).then(
          () => undefined,
          (err: ParleyError) => err,
        );
        return refusal !== undefined;
      },
      5_000,
      "bob's send refused",
    );
    refusedWith("permission_denied", /^not a member of this group$/)(refusal!);
  });

  it("should refuse a non-member and an unknown group alike, with PERMISSION_DENIED", async () => {
    const group = await d.createGroup("alice", ["bob"]);
    const unknown = groupConversationId("nobody", "nothing");
    for (const request of [
      { conversationId: group, senderId: "mallory" },
      { conversationId: unknown, senderId: "alice" },
    ]) {
      await assert.rejects(
        d.send(request),
        refusedWith("permission_denied", /^not a member of this group$/),
      );
    }
    // A refused sender does not spoil the cache for the members.
    await d.send({ conversationId: group, senderId: "bob" });
  });

  it("should refuse both targets and neither with INVALID_ARGUMENT and a reason", async () => {
    const group = await d.createGroup("alice", ["bob"]);
    await assert.rejects(
      d.send({ conversationId: group, recipientId: "bob" }),
      refusedWith("invalid_argument", /recipient_id .* or conversation_id .*, not both/),
    );
    await assert.rejects(
      d.send({}),
      refusedWith("invalid_argument", /give recipient_id \(1:1\) or conversation_id \(group\)/),
    );
    await assert.rejects(
      d.send({ conversationId: "d_notagroup" }),
      refusedWith("invalid_argument", /conversation_id must be a group id/),
    );
  });

  it("should answer UNAVAILABLE when the members cannot be read", async () => {
    const group = await d.createGroup("alice", ["bob"]);
    d.history.available = false;
    try {
      await assert.rejects(
        d.send({ conversationId: group }),
        refusedWith("unavailable", /membership cannot be read; retry/),
      );
    } finally {
      d.history.available = true;
    }
    const retried = await d.send({ conversationId: group });
    assert.ok(retried.seq > 0);
  });

  it("should answer a late group retry with the original that history stored", async () => {
    const group = await d.createGroup("alice", ["bob"]);
    const messageId = nameBasedUuid("bob:phone:late-1");
    d.history.stored.set(`${group}/${messageId}`, { seq: 7, sentAtMs: 1_700_000_000_000 });
    // Bob has been removed since: the original stays his to be told about.
    await d.change(group, "alice", MembershipChange_Action.ACTION_REMOVED, ["bob"], {
      after: ["alice"],
    });
    const reply = await d.send({
      conversationId: group,
      senderId: "bob",
      clientMessageId: "late-1",
      retry: true,
    });
    assert.deepEqual(reply, {
      messageId,
      conversationId: group,
      seq: 7,
      sentAtMs: 1_700_000_000_000,
      duplicate: true,
    });
  });
});
