import assert from "node:assert/strict";
import { ParleyError } from "@parley/common";
import { Role } from "@parley/proto/parley/history/v1/conversations";
import { EdgeDeployment } from "./support/deployment.js";
import { FakeConversations } from "./support/fake-conversations.js";
import type { Frame, TestClient } from "./support/ws-client.js";

const members: Record<string, string[]> = {
  g_team: ["amy", "bob", "carl"],
  g_other: ["amy", "dave"],
  g_rate: ["rob", "sue", "tom"],
};

const typingOf = (conversationId: string, userId: string) => (f: Frame) =>
  f.type === "typing" && f.conversation_id === conversationId && f.user_id === userId;

describe("svc-edge typing (ConversationService from a table, real NATS)", () => {
  let conversations: FakeConversations;
  let dep: EdgeDeployment;
  const clients: TestClient[] = [];
  const open = async (userId: string, deviceId = "d1") => {
    const client = await dep.open(userId, deviceId);
    clients.push(client);
    return client;
  };

  before(async () => {
    conversations = await FakeConversations.start();
    conversations.answers.listMembers = async ({ conversationId, readerId }) => {
      const ids = members[conversationId] ?? [];
      if (!ids.includes(readerId)) throw ParleyError.denied("not a member");
      return {
        membershipVersion: 1,
        members: ids.map((userId) => ({
          userId,
          role: Role.ROLE_MEMBER,
          joinedSeq: 1,
          deliveredSeq: 0,
          readSeq: 0,
        })),
      };
    };
    dep = await EdgeDeployment.start({
      HISTORY_ADDRESS: conversations.address,
      EDGE_TYPING_PER_SECOND: "3",
      EDGE_TYPING_TTL_MS: "4000",
      // Nothing listens here: presence reports fail quietly.
      PRESENCE_ADDRESS: "127.0.0.1:1",
    });
  });
  after(async () => {
    await dep?.stop();
    await conversations?.stop();
  });
  afterEach(async () => Promise.all(clients.splice(0).map((c) => c.close())));

  it("should reach the other members' devices once, not the typer's other devices nor non-members", async () => {
    const [amy1, amy2, bob1, bob2, carl, dave] = [
      await open("amy", "d1"),
      await open("amy", "d2"),
      await open("bob", "d1"),
      await open("bob", "d2"),
      await open("carl"),
      await open("dave"),
    ];
    amy1.send({ type: "typing", conversation_id: "g_team" });
    const expected = {
      type: "typing",
      conversation_id: "g_team",
      user_id: "amy",
      expires_in_ms: 4000,
    };
    for (const member of [bob1, bob2, carl]) {
      assert.deepEqual(await member.next(typingOf("g_team", "amy")), expected);
    }

    // Markers sent after it, on the same paths: what was not there before them never comes.
    amy1.send({ type: "typing", conversation_id: "g_other" });
    await dave.next(typingOf("g_other", "amy"));
    carl.send({ type: "typing", conversation_id: "g_team" });
    await amy2.next(typingOf("g_team", "carl"));
    await bob1.next(typingOf("g_team", "carl"));
    assert.equal(dave.frames.filter((f) => f.type === "typing").length, 1, "dave: g_other only");
    assert.equal(
      amy2.frames.filter(typingOf("g_team", "amy")).length,
      0,
      "not the typer's devices",
    );
    assert.equal(amy1.frames.filter((f) => f.type === "typing").length, 1, "amy1: carl's only");
    assert.equal(bob1.frames.filter(typingOf("g_team", "amy")).length, 1, "no repeat");
    assert.equal(
      amy1.frames.filter((f) => f.type === "error").length,
      0,
      "no answer when accepted",
    );
  });

  it("should refuse a non-member with permission_denied, echoing the id", async () => {
    const dave = await open("dave");
    dave.send({ type: "typing", id: "t1", conversation_id: "g_team" });
    const error = await dave.next((f) => f.type === "error");
    assert.equal(error.id, "t1");
    assert.equal(error.code, "permission_denied");
  });

  it("should read a conversation's members once and serve later typing from the cache", async () => {
    const [amy, bob] = [await open("amy"), await open("bob")];
    const reads = () =>
      conversations.requestsOf("listMembers").filter((r) => r.conversationId === "g_team").length;
    const before = reads();
    bob.send({ type: "typing", conversation_id: "g_team" });
    await amy.next(typingOf("g_team", "bob"));
    assert.equal(reads(), before, "g_team was read by the first test already");
  });

  it("should drop typing past the connection's rate without answering", async () => {
    const [rob, sue, tom] = [await open("rob"), await open("sue"), await open("tom")];
    // Warms the member cache, so rob's frames are handled without a call.
    sue.send({ type: "typing", conversation_id: "g_rate" });
    await rob.next(typingOf("g_rate", "sue"));
    for (let i = 0; i < 10; i++) rob.send({ type: "typing", conversation_id: "g_rate" });
    await rob.request({ type: "ping", id: "p" });
    // Published after rob's by the same edge: a marker on sue's subject.
    tom.send({ type: "typing", conversation_id: "g_rate" });
    await sue.next(typingOf("g_rate", "tom"));
    const got = sue.frames.filter(typingOf("g_rate", "rob")).length;
    assert.ok(got >= 1 && got < 10, `sue got ${got} of 10`);
    assert.equal(rob.frames.filter((f) => f.type === "error").length, 0);
  });
});
