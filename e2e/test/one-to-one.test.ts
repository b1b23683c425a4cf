import assert from "node:assert/strict";
import { TestClient, type Frame } from "../../svc-edge/test/support/ws-client.js";
import { token } from "../../svc-edge/test/support/deployment.js";
import { eventually } from "../../testkit/eventually.js";
import { System } from "../support/system.js";

type Message = { id: string; conversation_id: string; seq: number; from: string; body: string };
const messageOf = (frame: Frame) => frame.message as Message;

describe("e2e 1:1 messaging through edge, delivery and history", () => {
  let system: System;
  const open = async (user: string, device = "d1") =>
    TestClient.open(system.edgeUrl, await token({ userId: user, deviceId: device }));

  before(async () => {
    system = await System.start();
  });

  after(async () => {
    await system?.stop();
  });

  it("should deliver to an online recipient once, ack the sender, and keep it in history", async () => {
    const alice = await open("alice");
    const bob = await open("bob");
    await Promise.all([alice.caughtUp(), bob.caughtUp()]);

    const sent = await alice.request({ type: "send", id: "a-1", to: "bob", body: "hi bob" });
    assert.equal(sent.type, "sent");
    assert.ok(typeof sent.message_id === "string" && (sent.seq as number) > 0);

    const [got] = await bob.messages(1);
    assert.equal(messageOf(got!).id, sent.message_id);
    assert.equal(messageOf(got!).seq, sent.seq);
    assert.equal(messageOf(got!).from, "alice");
    assert.equal(messageOf(got!).body, "hi bob");
    bob.send({ type: "ack", inbox_seq: got!.inbox_seq });

    // History stores the message a batch later than delivery; until then
    // bob is not yet a member there and the answer is permission_denied.
    let page: Frame | undefined;
    let request = 0;
    await eventually(
      async () => {
        page = await bob.request({
          type: "history",
          id: `h${request++}`,
          conversation_id: sent.conversation_id,
        });
        return ((page.messages as unknown[] | undefined)?.length ?? 0) > 0;
      },
      5_000,
      "the message in history",
      100,
    );
    const stored = page!.messages as Message[];
    assert.deepEqual(
      stored.map((m) => [m.id, m.body]),
      [[sent.message_id, "hi bob"]],
    );
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(bob.receivedMessages().length, 1, "bob got the message exactly once");
    // The sending device has `sent`; only the sender's other devices get a copy.
    assert.equal(alice.receivedMessages().length, 0, "no copy back to the sending device");
    await Promise.all([alice.close(), bob.close()]);
  });

  it("should deliver an offline backlog of 100 in order, then only what was not acked", async () => {
    const alice = await open("alice", "d2");
    const sent: Frame[] = [];
    for (let i = 0; i < 100; i++) {
      sent.push(await alice.request({ type: "send", id: `b-${i}`, to: "carol", body: `#${i}` }));
    }
    assert.ok(sent.every((s) => s.type === "sent"));
    await alice.close();

    const carol = await open("carol");
    const first = await carol.messages(100);
    await carol.caughtUp();
    assert.deepEqual(
      first.map((f) => messageOf(f).body),
      sent.map((_, i) => `#${i}`),
    );
    assert.deepEqual(
      first.map((f) => messageOf(f).seq),
      sent.map((s) => s.seq),
    );
    // Ack the first 60 only, then come back.
    carol.send({ type: "ack", inbox_seq: first[59]!.inbox_seq });
    await carol.close();

    const again = await open("carol");
    await again.caughtUp();
    const redelivered = again.receivedMessages().map((f) => messageOf(f).body);
    assert.deepEqual(
      redelivered,
      sent.slice(60).map((_, i) => `#${i + 60}`),
    );
    await again.close();
  });

  it("should turn a retried send into one message with the same id", async () => {
    const alice = await open("alice", "d3");
    const dave = await open("dave");
    await dave.caughtUp();
    const first = await alice.request({ type: "send", id: "r-1", to: "dave", body: "once" });
    const retry = await alice.request({ type: "send", id: "r-1", to: "dave", body: "once" });
    assert.equal(retry.message_id, first.message_id);
    assert.equal(retry.seq, first.seq);
    assert.equal(retry.duplicate, true);
    await alice.request({ type: "send", id: "r-2", to: "dave", body: "marker" });
    const got = await dave.messages(2);
    assert.deepEqual(
      got.map((f) => messageOf(f).body),
      ["once", "marker"],
    );
    await Promise.all([alice.close(), dave.close()]);
  });

  it("should refuse a send to an invalid user id with an error frame and keep the socket", async () => {
    const alice = await open("alice", "d4");
    const refused = await alice.request({ type: "send", id: "x-1", to: "not a user", body: "x" });
    assert.equal(refused.type, "error");
    assert.equal(refused.code, "invalid_argument");
    assert.match(refused.reason as string, /to|recipient/);
    const ok = await alice.request({ type: "send", id: "x-2", to: "erin", body: "still here" });
    assert.equal(ok.type, "sent");
    await alice.close();
  });
});
