import assert from "node:assert/strict";
import { ParleyError } from "@parley/common";
import { MembershipChange_Action } from "@parley/proto/parley/events/v1/events";
import { eventually } from "../../testkit/eventually.js";
import { EdgeDeployment } from "./support/deployment.js";
import { FakeConversations } from "./support/fake-conversations.js";
import { InboxWriter } from "./support/inbox-writer.js";
import type { TestClient } from "./support/ws-client.js";

/** Longer than any test: delivered watermarks stay pending until stop or read. */
const NEVER_MS = "3600000";

/** Opens a session for `user` with nothing waiting. */
async function connect(dep: EdgeDeployment, user: string): Promise<TestClient> {
  const client = await dep.open(user);
  await client.caughtUp();
  return client;
}

/**
 * Writes, into `user`'s inbox: two texts of g_team from others, one text of
 * d_pair, then the user's own text and a receipt in g_team (neither counts
 * toward delivered). Resolves with the last inbox seq.
 */
async function writeMix(writer: InboxWriter, user: string): Promise<number> {
  await writer.writeEvent(user, {
    conversationId: "g_team",
    seq: 4,
    senderId: "ann",
    text: { body: "a", media: undefined },
  });
  await writer.writeEvent(user, {
    conversationId: "g_team",
    seq: 6,
    senderId: "ben",
    text: { body: "b", media: undefined },
  });
  await writer.writeEvent(user, {
    conversationId: "d_pair",
    seq: 2,
    senderId: "ann",
    text: { body: "c", media: undefined },
  });
  await writer.writeEvent(user, {
    conversationId: "g_team",
    seq: 8,
    senderId: user,
    text: { body: "d", media: undefined },
  });
  return writer.writeEvent(user, {
    conversationId: "g_team",
    senderId: "ann",
    senderDeviceId: "server",
    receipt: { userId: "ann", deliveredSeq: 8, readSeq: 8 },
  });
}

describe("svc-edge receipts from acks and read frames", () => {
  let fake: FakeConversations;
  let writer: InboxWriter;
  let dep: EdgeDeployment;

  before(async () => {
    fake = await FakeConversations.start();
    dep = await EdgeDeployment.start({
      HISTORY_ADDRESS: fake.address,
      EDGE_RECEIPT_FLUSH_MS: NEVER_MS,
    });
    writer = await InboxWriter.connect(dep.namespace);
  });
  after(async () => {
    await writer?.close();
    await dep?.stop();
    await fake?.stop();
  });

  it("should render membership changes as messages and receipts as receipt frames", async () => {
    const client = await connect(dep, "render");
    const membership = {
      action: MembershipChange_Action.ACTION_CREATED,
      actorId: "adm",
      userIds: ["render", "x"],
      title: "team",
    };
    await writer.writeEvent("render", {
      messageId: "m-1",
      conversationId: "g_team",
      seq: 3,
      senderId: "adm",
      senderDeviceId: "server",
      clientMessageId: "m-1",
      sentAtMs: 1_000,
      membership,
    });
    await writer.writeEvent("render", {
      conversationId: "g_team",
      seq: 5,
      senderId: "adm",
      membership: {
        ...membership,
        action: MembershipChange_Action.ACTION_REMOVED,
        userIds: ["x"],
        title: "",
      },
    });
    const receiptSeq = await writer.writeEvent("render", {
      conversationId: "g_team",
      senderId: "x",
      receipt: { userId: "x", deliveredSeq: 5, readSeq: 3 },
    });

    const [created, removed] = await client.messages(2);
    assert.deepEqual(created!.message, {
      id: "m-1",
      conversation_id: "g_team",
      seq: 3,
      from: "adm",
      from_device: "server",
      client_id: "m-1",
      sent_at: 1_000,
      membership: { action: "created", actor: "adm", user_ids: ["render", "x"], title: "team" },
    });
    const removal = removed!.message as Record<string, unknown>;
    assert.deepEqual(removal.membership, { action: "removed", actor: "adm", user_ids: ["x"] });
    assert.equal(removal.body, undefined);
    assert.deepEqual(await client.next((f) => f.type === "receipt"), {
      type: "receipt",
      inbox_seq: receiptSeq,
      conversation_id: "g_team",
      user_id: "x",
      delivered_seq: 5,
      read_seq: 3,
    });
    await client.close();
  });

  it("should send a read at once, with the acked delivered watermark and not the user's own events", async () => {
    const client = await connect(dep, "reader");
    const last = await writeMix(writer, "reader");
    await client.next((f) => f.inbox_seq === last);
    client.send({ type: "ack", inbox_seq: last });

    const answer = await client.request({
      type: "read",
      id: "r1",
      conversation_id: "g_team",
      seq: 8,
    });
    assert.deepEqual(fake.receiptCalls("reader"), [
      { updates: [{ userId: "reader", conversationId: "g_team", deliveredSeq: 6, readSeq: 8 }] },
    ]);
    // svc-history clamps the read to delivered: 6, not 8.
    assert.deepEqual(answer, {
      type: "watermarks",
      id: "r1",
      conversation_id: "g_team",
      delivered_seq: 6,
      read_seq: 6,
    });
    await client.close();
  });

  it("should count only the events an ack covers", async () => {
    const client = await connect(dep, "partial");
    const first = await writer.writeEvent("partial", {
      conversationId: "g_team",
      seq: 4,
      senderId: "ann",
      text: { body: "a", media: undefined },
    });
    const second = await writer.writeEvent("partial", {
      conversationId: "g_team",
      seq: 9,
      senderId: "ann",
      text: { body: "b", media: undefined },
    });
    await client.next((f) => f.inbox_seq === second);
    client.send({ type: "ack", inbox_seq: first });
    const answer = await client.request({
      type: "read",
      id: "r",
      conversation_id: "g_team",
      seq: 9,
    });
    assert.equal(answer.delivered_seq, 4);
    await client.close();
  });

  it("should answer a read refused by svc-history with its error, and keep the delivered watermark", async () => {
    const client = await connect(dep, "refused");
    const seq = await writer.writeEvent("refused", {
      conversationId: "d_pair",
      seq: 7,
      senderId: "ann",
      text: { body: "hi", media: undefined },
    });
    await client.next((f) => f.inbox_seq === seq);
    client.send({ type: "ack", inbox_seq: seq });
    fake.answers.recordReceipts = async (req) => ({
      results: req.updates.map(() => ({
        errorCode: "invalid_argument",
        errorReason: "seq 99 is beyond the conversation's last event",
        deliveredSeq: 0,
        readSeq: 0,
      })),
    });
    try {
      const refused = await client.request({
        type: "read",
        id: "bad",
        conversation_id: "d_pair",
        seq: 99,
      });
      assert.deepEqual(refused, {
        type: "error",
        id: "bad",
        code: "invalid_argument",
        reason: "seq 99 is beyond the conversation's last event",
      });
    } finally {
      delete fake.answers.recordReceipts;
    }
    const ok = await client.request({
      type: "read",
      id: "good",
      conversation_id: "d_pair",
      seq: 7,
    });
    assert.equal(ok.delivered_seq, 7, "the refused read did not lose the pending delivered seq");
    assert.equal(ok.read_seq, 7);
    await client.close();
  });

  it("should answer unavailable when svc-history cannot record the read", async () => {
    const client = await connect(dep, "down");
    fake.answers.recordReceipts = async () => {
      throw ParleyError.unavailable("database down");
    };
    try {
      const answer = await client.request({
        type: "read",
        id: "r",
        conversation_id: "d_pair",
        seq: 1,
      });
      assert.equal(answer.code, "unavailable");
      assert.equal(answer.id, "r");
    } finally {
      delete fake.answers.recordReceipts;
    }
    await client.close();
  });
});

describe("svc-edge delivered watermarks in batches", () => {
  let fake: FakeConversations;
  let writer: InboxWriter;

  before(async () => {
    fake = await FakeConversations.start();
  });
  after(async () => {
    await writer?.close();
    await fake?.stop();
  });

  it("should send one RecordReceipts per flush with the highest acked seq per conversation", async () => {
    const dep = await EdgeDeployment.start({
      HISTORY_ADDRESS: fake.address,
      EDGE_RECEIPT_FLUSH_MS: "50",
    });
    writer = await InboxWriter.connect(dep.namespace);
    try {
      const client = await connect(dep, "acker");
      const last = await writeMix(writer, "acker");
      await client.next((f) => f.inbox_seq === last);
      // One ack covers all five entries: one flush, one call.
      client.send({ type: "ack", inbox_seq: last });
      await eventually(() => fake.receiptCalls("acker").length > 0, 5_000, "a RecordReceipts call");
      assert.deepEqual(fake.receiptCalls("acker"), [
        {
          updates: [
            { userId: "acker", conversationId: "g_team", deliveredSeq: 6, readSeq: 0 },
            { userId: "acker", conversationId: "d_pair", deliveredSeq: 2, readSeq: 0 },
          ],
        },
      ]);

      const next = await writer.writeEvent("acker", {
        conversationId: "g_team",
        seq: 11,
        senderId: "ben",
        text: { body: "e", media: undefined },
      });
      await client.next((f) => f.inbox_seq === next);
      client.send({ type: "ack", inbox_seq: next });
      await eventually(() => fake.receiptCalls("acker").length > 1, 5_000, "a second call");
      assert.deepEqual(fake.receiptCalls("acker")[1]!.updates, [
        { userId: "acker", conversationId: "g_team", deliveredSeq: 11, readSeq: 0 },
      ]);
      await client.close();
    } finally {
      await dep.stop();
    }
  });

  it("should send pending delivered watermarks on shutdown", async () => {
    const dep = await EdgeDeployment.start({
      HISTORY_ADDRESS: fake.address,
      EDGE_RECEIPT_FLUSH_MS: NEVER_MS,
    });
    await writer?.close();
    writer = await InboxWriter.connect(dep.namespace);
    let stopped = false;
    try {
      const client = await connect(dep, "leaving");
      const last = await writeMix(writer, "leaving");
      await client.next((f) => f.inbox_seq === last);
      client.send({ type: "ack", inbox_seq: last });
      // A round trip: the ack was handled before the edge is stopped.
      await client.request({ type: "ping", id: "p" });
      assert.equal(fake.receiptCalls("leaving").length, 0, "nothing before the flush");
      await dep.stop();
      stopped = true;
      assert.deepEqual(
        fake
          .receiptCalls("leaving")
          .map((c) => c.updates.map((u) => [u.conversationId, u.deliveredSeq])),
        [
          [
            ["g_team", 6],
            ["d_pair", 2],
          ],
        ],
      );
    } finally {
      if (!stopped) await dep.stop();
    }
  });
});
