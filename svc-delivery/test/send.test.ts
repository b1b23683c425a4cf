import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import {
  callUnary,
  createClient,
  directConversationId,
  ParleyError,
  Topology,
} from "@parley/common";
import {
  DeliveryServiceClient,
  type SendMessageRequest,
  type SendMessageResponse,
  type SendMessagesRequest,
  type SendMessagesResponse,
} from "@parley/proto/parley/delivery/v1/delivery";
import { ConversationEvent } from "@parley/proto/parley/events/v1/events";
import assert from "node:assert/strict";
import { dropNatsNamespace } from "../../testkit/cleanup.js";
import { baseEnv, TEST_NATS_URL, uniqueNamespace } from "../../testkit/env.js";
import { eventually } from "../../testkit/eventually.js";
import { startService, type RunningService } from "../../testkit/service.js";

describe("svc-delivery SendMessage", () => {
  let ns: string;
  let service: RunningService;
  let client: DeliveryServiceClient;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let topology: Topology;

  const request = (fields: Partial<SendMessageRequest>): SendMessageRequest => ({
    senderId: "alice",
    senderDeviceId: "phone",
    clientMessageId: `c${Math.random().toString(36).slice(2)}`,
    recipientId: "bob",
    conversationId: "",
    mediaId: "",
    body: "hello",
    retry: false,
    ...fields,
  });

  const send = (fields: Partial<SendMessageRequest>) =>
    callUnary<SendMessageRequest, SendMessageResponse>(
      client,
      client.sendMessage,
      request(fields),
      5_000,
    );

  const sendMany = (sends: SendMessageRequest[]) =>
    callUnary<SendMessagesRequest, SendMessagesResponse>(
      client,
      client.sendMessages,
      { sends },
      5_000,
    );

  /** Every entry of a user's inbox, decoded. */
  const inbox = async (user: string): Promise<{ inboxSeq: number; event: ConversationEvent }[]> => {
    const info = await jsm.streams.info(topology.inboxStream);
    const entries = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const m = await jsm.streams.getMessage(topology.inboxStream, { seq }).catch(() => null);
      if (m && m.subject === topology.inboxSubject(user)) {
        entries.push({ inboxSeq: seq, event: ConversationEvent.decode(m.data) });
      }
    }
    return entries;
  };

  const waitForInbox = async (user: string, count: number) => {
    let entries: Awaited<ReturnType<typeof inbox>> = [];
    await eventually(
      async () => (entries = await inbox(user)).length >= count,
      5_000,
      `${count} entries in the inbox of ${user}`,
      50,
    );
    return entries;
  };

  before(async () => {
    ns = uniqueNamespace();
    service = await startService("delivery", { ...baseEnv(ns), GRPC_ADDRESS: "127.0.0.1:0" });
    client = createClient(DeliveryServiceClient, `127.0.0.1:${service.ready.grpc_port}`);
    nc = await connect({ servers: TEST_NATS_URL });
    jsm = await jetstreamManager(nc);
    topology = new Topology({
      namespace: ns,
      partitions: 4,
      replicas: 1,
      sendDedupWindowMs: 60_000,
      inboxMaxAgeMs: 60_000,
    });
  });

  after(async () => {
    client?.close();
    await service?.stop();
    await nc?.close();
    await dropNatsNamespace(ns);
  });

  it("should answer with the message's id, conversation and seq once it is in the log", async () => {
    const reply = await send({ body: "first" });
    assert.equal(reply.conversationId, directConversationId("alice", "bob"));
    assert.ok(reply.seq > 0);
    assert.match(
      reply.messageId,
      /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    assert.equal(reply.duplicate, false);
    assert.ok(Math.abs(reply.sentAtMs - Date.now()) < 60_000);
  });

  it("should fan a message out to the recipient's and the sender's inboxes with its seq", async () => {
    const reply = await send({ body: "fan me out", recipientId: "carol" });
    const [carol] = (await waitForInbox("carol", 1)).map((e) => e.event);
    assert.equal(carol!.messageId, reply.messageId);
    assert.equal(carol!.seq, reply.seq);
    assert.equal(carol!.text?.body, "fan me out");
    // Inbox copies leave the member list out; the log entry has it.
    assert.deepEqual(carol!.memberIds, []);
    const alice = await waitForInbox("alice", 1);
    assert.ok(alice.some((e) => e.event.messageId === reply.messageId));
  });

  it("should keep one conversation's messages in log order in the inbox", async () => {
    const replies = [];
    for (let i = 0; i < 50; i++) replies.push(await send({ recipientId: "dave", body: `m${i}` }));
    const entries = await waitForInbox("dave", 50);
    assert.deepEqual(
      entries.map((e) => e.event.seq),
      replies.map((r) => r.seq),
    );
    assert.deepEqual(
      entries.map((e) => e.event.text?.body),
      replies.map((_, i) => `m${i}`),
    );
  });

  it("should give a retried send the first send's id and seq and store it once", async () => {
    const first = await send({ clientMessageId: "retry-1", recipientId: "erin", body: "once" });
    const again = await send({ clientMessageId: "retry-1", recipientId: "erin", body: "once" });
    assert.equal(again.messageId, first.messageId);
    assert.equal(again.seq, first.seq);
    assert.equal(again.duplicate, true);
    await send({ recipientId: "erin", body: "marker" });
    const entries = await waitForInbox("erin", 2);
    assert.deepEqual(
      entries.map((e) => e.event.text?.body),
      ["once", "marker"],
    );
  });

  it("should name the same conversation whoever sends first", async () => {
    const fromAlice = await send({ senderId: "alice", recipientId: "frank" });
    const fromFrank = await send({ senderId: "frank", recipientId: "alice" });
    assert.equal(fromAlice.conversationId, fromFrank.conversationId);
    assert.ok(fromFrank.seq > fromAlice.seq);
  });

  const refusals: [string, Partial<SendMessageRequest>, RegExp][] = [
    ["a malformed recipient id", { recipientId: "bob smith" }, /recipient_id/],
    ["an empty recipient id", { recipientId: "" }, /recipient_id/],
    ["a malformed client message id", { clientMessageId: "a.b" }, /client_message_id/],
    ["a send to oneself", { recipientId: "alice" }, /must not be the sender/],
    ["an empty body", { body: "" }, /body must not be empty/],
    ["a body over the limit", { body: "x".repeat(16 * 1024 + 1) }, /over the limit/],
  ];
  for (const [what, request, reason] of refusals) {
    it(`should refuse ${what} with INVALID_ARGUMENT and a reason`, async () => {
      await assert.rejects(send(request), (err: ParleyError) => {
        assert.equal(err.code, "invalid_argument");
        assert.match(err.message, reason);
        return true;
      });
    });
  }

  it("should accept a body of exactly the limit in multi-byte characters", async () => {
    const reply = await send({ recipientId: "gina", body: "é".repeat(8 * 1024) });
    assert.ok(reply.seq > 0);
  });

  describe("SendMessages", () => {
    it("should answer each send in order, as SendMessage would, one refusal failing only its own", async () => {
      const { results } = await sendMany([
        request({ recipientId: "hana", body: "one" }),
        request({ recipientId: "hana bad" }),
        request({ recipientId: "hana", body: "two" }),
      ]);
      assert.equal(results.length, 3);
      assert.equal(results[0]!.errorCode, "");
      assert.equal(results[1]!.errorCode, "invalid_argument");
      assert.match(results[1]!.errorReason, /recipient_id/);
      assert.equal(results[1]!.sent, undefined);
      assert.equal(results[2]!.errorCode, "");
      const entries = await waitForInbox("hana", 2);
      assert.deepEqual(
        entries.map((e) => e.event.messageId).sort(),
        [results[0]!.sent!.messageId, results[2]!.sent!.messageId].sort(),
      );
    });

    it("should store a send repeated in the same call once", async () => {
      const same = request({ clientMessageId: "batch-dup", recipientId: "ivan", body: "once" });
      const { results } = await sendMany([same, same]);
      assert.deepEqual(
        results.map((r) => r.errorCode),
        ["", ""],
      );
      assert.equal(results[0]!.sent!.messageId, results[1]!.sent!.messageId);
      assert.deepEqual(results.map((r) => r.sent!.duplicate).sort(), [false, true]);
      await send({ recipientId: "ivan", body: "marker" });
      const entries = await waitForInbox("ivan", 2);
      assert.deepEqual(
        entries.map((e) => e.event.text?.body),
        ["once", "marker"],
      );
    });

    it("should refuse a call over the limit of sends as a whole", async () => {
      const sends = Array.from({ length: 1_001 }, () => request({ recipientId: "jane" }));
      await assert.rejects(sendMany(sends), (err: ParleyError) => {
        assert.equal(err.code, "invalid_argument");
        assert.match(err.message, /at most 1000 sends/);
        return true;
      });
    });
  });
});
