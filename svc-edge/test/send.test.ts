import assert from "node:assert/strict";
import { dropSchema } from "../../testkit/cleanup.js";
import { baseEnv, uniqueNamespace } from "../../testkit/env.js";
import { startService, type RunningService } from "../../testkit/service.js";
import { EdgeDeployment } from "./support/deployment.js";

describe("svc-edge send and history through svc-delivery and svc-history", () => {
  const namespace = uniqueNamespace();
  let delivery: RunningService;
  let history: RunningService;
  let dep: EdgeDeployment;

  before(async () => {
    const env = { ...baseEnv(namespace), GRPC_ADDRESS: "127.0.0.1:0" };
    [delivery, history] = await Promise.all([
      startService("delivery", env),
      startService("history", env),
    ]);
    dep = await EdgeDeployment.start(
      {
        DELIVERY_ADDRESS: `127.0.0.1:${String(delivery.ready.grpc_port)}`,
        HISTORY_ADDRESS: `127.0.0.1:${String(history.ready.grpc_port)}`,
      },
      namespace,
    );
  });
  after(async () => {
    await Promise.all([delivery?.stop(), history?.stop()]);
    await dep?.stop();
    await dropSchema(namespace);
  });

  it("should answer sent once delivery accepted it and deliver it to the recipient", async () => {
    const alice = await dep.open("alice", "phone");
    const aliceLaptop = await dep.open("alice", "laptop");
    const bob = await dep.open("bob", "laptop");
    await Promise.all([alice.caughtUp(), aliceLaptop.caughtUp(), bob.caughtUp()]);

    const sent = await alice.request({ type: "send", id: "m1", to: "bob", body: "hi bob" });
    assert.equal(sent.type, "sent");
    assert.equal(sent.duplicate, false);
    assert.equal(typeof sent.message_id, "string");
    assert.equal(typeof sent.seq, "number");

    const [frame] = await bob.messages(1);
    const message = frame!.message as Record<string, unknown>;
    assert.equal(message.id, sent.message_id);
    assert.equal(message.conversation_id, sent.conversation_id);
    assert.equal(message.seq, sent.seq);
    assert.equal(message.from, "alice");
    assert.equal(message.from_device, "phone");
    assert.equal(message.client_id, "m1");
    assert.equal(message.body, "hi bob");
    // The sender's other devices get it; the sending device does not (it has `sent`).
    const [copy] = await aliceLaptop.messages(1);
    assert.equal((copy!.message as { id: string }).id, sent.message_id);
    const marker = await bob.request({ type: "send", id: "m1-back", to: "alice", body: "back" });
    const [next] = await alice.messages(1);
    assert.equal((next!.message as { id: string }).id, marker.message_id);
    assert.deepEqual(
      alice.receivedMessages().map((f) => (f.message as { id: string }).id),
      [marker.message_id],
    );
    await Promise.all([alice.close(), aliceLaptop.close(), bob.close()]);
  });

  it("should answer a retried send with the first send's message and duplicate", async () => {
    const alice = await dep.open("alice", "tablet");
    const first = await alice.request({ type: "send", id: "retry1", to: "bob", body: "once" });
    const again = await alice.request({ type: "send", id: "retry1", to: "bob", body: "once" });
    assert.equal(again.type, "sent");
    assert.equal(again.message_id, first.message_id);
    assert.equal(again.duplicate, true);
    await alice.close();
  });

  it("should answer a send to oneself with an error frame from delivery and stay open", async () => {
    const alice = await dep.open("alice", "phone");
    const error = await alice.request({ type: "send", id: "self", to: "alice", body: "me" });
    assert.equal(error.type, "error");
    assert.equal(error.code, "invalid_argument");
    assert.equal(typeof error.reason, "string");
    const pong = await alice.request({ type: "ping", id: "still" });
    assert.equal(pong.type, "pong");
    await alice.close();
  });

  it("should answer a malformed recipient with an error frame before calling delivery", async () => {
    const alice = await dep.open("alice", "phone");
    const error = await alice.request({ type: "send", id: "bad", to: "no.dots", body: "x" });
    assert.equal(error.code, "invalid_argument");
    assert.match(String(error.reason), /^to /);
    await alice.close();
  });

  it("should page a conversation's history in seq order", async () => {
    const carol = await dep.open("carol", "phone");
    const sends = [];
    for (let i = 0; i < 3; i++) {
      sends.push(await carol.request({ type: "send", id: `h${i}`, to: "dan", body: `h${i}` }));
    }
    const conversation = String(sends[0]!.conversation_id);
    // History is written in batches behind the log: poll until it is there.
    let page: Record<string, unknown> = {};
    for (let attempt = 0; attempt < 50; attempt++) {
      page = await carol.request({
        type: "history",
        id: `p${attempt}`,
        conversation_id: conversation,
      });
      if ((page.messages as unknown[] | undefined)?.length === 3) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const messages = page.messages as { body: string; seq: number }[];
    assert.deepEqual(
      messages.map((m) => m.body),
      ["h0", "h1", "h2"],
    );
    assert.deepEqual(
      messages.map((m) => m.seq),
      sends.map((s) => s.seq),
    );
    assert.equal(page.has_more, false);
    await carol.close();
  });

  it("should refuse history of a conversation the reader is not in", async () => {
    const eve = await dep.open("eve", "phone");
    const sent = await (
      await dep.open("carol", "laptop")
    ).request({
      type: "send",
      id: "private",
      to: "dan",
      body: "secret",
    });
    const answer = await eve.request({
      type: "history",
      id: "snoop",
      conversation_id: String(sent.conversation_id),
    });
    assert.equal(answer.type, "error");
    assert.equal(answer.code, "permission_denied");
    await eve.close();
  });
});
