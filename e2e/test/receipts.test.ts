import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { TestClient, type Frame } from "../../svc-edge/test/support/ws-client.js";
import { Clients, ok } from "../support/clients.js";
import { System } from "../support/system.js";

type Watermarks = { delivered_seq: number; read_seq: number };

describe("e2e receipts and the conversation list", () => {
  let system: System;
  const clients = new Clients(() => system.edgeUrl);
  const open = (user: string, device?: string) => clients.open(user, device);
  /** The next receipt frame about `user` that satisfies `done`. */
  const receipt = (client: TestClient, user: string, done: (w: Watermarks) => boolean) =>
    client.next(
      (f) => f.type === "receipt" && f.user_id === user && done(f as unknown as Watermarks),
      10_000,
    );
  /** Acks a frame's inbox entry, as a client does once it has stored it. */
  const ack = (client: TestClient, frame: Frame) =>
    client.send({ type: "ack", inbox_seq: frame.inbox_seq });

  before(async () => {
    system = await System.start({ EDGE_RECEIPT_FLUSH_MS: "200" });
  });

  afterEach(async () => {
    await clients.closeAll();
  });

  after(async () => {
    await system?.stop();
  });

  it("should show the sender sent, delivered and read in a 1:1 conversation", async () => {
    const [alice, bob] = await Promise.all([open("r-alice"), open("r-bob")]);
    const sent = await ok(alice!, { type: "send", id: "m1", to: "r-bob", body: "did you read?" });
    const seq = sent.seq as number;

    const [got] = await bob!.messages(1);
    ack(bob!, got!);
    await receipt(alice!, "r-bob", (w) => w.delivered_seq >= seq);

    const read = await ok(bob!, {
      type: "read",
      id: "r1",
      conversation_id: sent.conversation_id,
      seq,
    });
    assert.equal(read.type, "watermarks");
    assert.equal(read.read_seq, seq);
    const seen = await receipt(alice!, "r-bob", (w) => w.read_seq >= seq);
    assert.equal(seen.conversation_id, sent.conversation_id);
  });

  it("should clamp a read above what was delivered, and never move a watermark back", async () => {
    const [carol, dan] = await Promise.all([open("r-carol"), open("r-dan")]);
    const first = await ok(carol!, { type: "send", id: "c1", to: "r-dan", body: "one" });
    const second = await ok(carol!, { type: "send", id: "c2", to: "r-dan", body: "two" });
    const [one] = await dan!.messages(2);
    ack(dan!, one!); // only the first is acknowledged

    const clamped = await ok(dan!, {
      type: "read",
      id: "r-high",
      conversation_id: second.conversation_id,
      seq: second.seq,
    });
    assert.equal(clamped.delivered_seq, first.seq);
    assert.equal(clamped.read_seq, first.seq);

    const back = await ok(dan!, {
      type: "read",
      id: "r-low",
      conversation_id: first.conversation_id,
      seq: 1,
    });
    assert.equal(back.read_seq, first.seq, "a lower read changes nothing");
  });

  it("should refuse bad receipts with a clear error and change nothing", async () => {
    const [erin, fay] = await Promise.all([open("r-erin"), open("r-fay")]);
    const sent = await ok(erin!, { type: "send", id: "e1", to: "r-fay", body: "hi" });
    const [got] = await fay!.messages(1);
    ack(fay!, got!);
    const conversation = sent.conversation_id as string;

    const notMember = await open("r-stranger");
    const denied = await notMember.request({
      type: "read",
      id: "x1",
      conversation_id: conversation,
      seq: sent.seq,
    });
    assert.equal(denied.code, "permission_denied");
    const unknown = await fay!.request({
      type: "read",
      id: "x2",
      conversation_id: "g_doesNotExist0000000000",
      seq: 1,
    });
    assert.equal(unknown.code, "permission_denied");
    for (const [id, seq] of [
      ["x3", -1],
      ["x4", 1.5],
      ["x5", "7"],
      ["x6", 0],
    ] as const) {
      const bad = await fay!.request({ type: "read", id, conversation_id: conversation, seq });
      assert.equal(bad.code, "invalid_argument", `seq ${JSON.stringify(seq)}`);
    }
    const beyond = await fay!.request({
      type: "read",
      id: "x7",
      conversation_id: conversation,
      seq: (sent.seq as number) + 1_000_000,
    });
    assert.equal(beyond.code, "invalid_argument");

    // The refused reads moved nothing: a valid read of seq 1 now leaves the
    // read watermark at 1, not at any of the values refused above.
    await sleep(300);
    const now = await ok(fay!, { type: "read", id: "ok", conversation_id: conversation, seq: 1 });
    assert.equal(now.delivered_seq, sent.seq);
    assert.equal(now.read_seq, 1);
  });

  it("should tell a group's sender each member's watermarks", async () => {
    const users = ["rg0", "rg1", "rg2", "rg3"];
    const [admin, ...rest] = await Promise.all(users.map((u) => open(u)));
    const created = await ok(admin!, {
      type: "create_group",
      id: "g",
      title: "receipts",
      members: users.slice(1),
    });
    const group = (created.conversation as { conversation_id: string }).conversation_id;
    const sent = await ok(admin!, {
      type: "send",
      id: "gm",
      conversation_id: group,
      body: "read me",
    });
    const seq = sent.seq as number;

    for (const member of rest) {
      const got = await member.messages(2);
      ack(member, got[1]!);
      await ok(member, { type: "read", id: "read", conversation_id: group, seq });
    }
    for (const user of users.slice(1)) await receipt(admin!, user, (w) => w.read_seq >= seq);

    const listed = await ok(admin!, { type: "list_members", id: "lm", conversation_id: group });
    for (const m of listed.members as ({ user_id: string } & Watermarks)[]) {
      if (m.user_id === "rg0") continue;
      assert.equal(m.delivered_seq, seq, m.user_id);
      assert.equal(m.read_seq, seq, m.user_id);
    }
  });

  it("should list conversations by latest activity with previews and unread counts", async () => {
    const me = await open("l-me");
    const [p1, p2, p3] = await Promise.all([open("l-p1"), open("l-p2"), open("l-p3")]);
    // Activity is ordered by server time in ms: keep the sends a few ms apart.
    const from = async (peer: TestClient, id: string, body: string) => {
      await sleep(5);
      return ok(peer, { type: "send", id, to: "l-me", body });
    };
    await from(p1!, "a", "p1 first");
    await from(p2!, "b", "p2 first");
    await from(p3!, "c", "p3 first");
    const lastOfP1 = await from(p1!, "d", "p1 again");

    type Summary = {
      conversation: { peer_id: string };
      last_message?: { body?: string };
      unread_count: number;
    };
    const list = async (): Promise<Summary[]> => {
      const answer = await ok(me, { type: "list_conversations", id: `l${Date.now()}` });
      return answer.conversations as Summary[];
    };
    let listed: Summary[] = [];
    for (let i = 0; i < 100; i++) {
      listed = await list();
      if (listed.length === 3 && listed[0]?.last_message?.body === "p1 again") break;
      await sleep(50);
    }
    assert.deepEqual(
      listed.map((s) => [s.conversation.peer_id, s.last_message?.body, s.unread_count]),
      [
        ["l-p1", "p1 again", 2],
        ["l-p3", "p3 first", 1],
        ["l-p2", "p2 first", 1],
      ],
    );

    const got = await me.messages(4);
    const newest = got.reduce((a, b) =>
      (a.inbox_seq as number) > (b.inbox_seq as number) ? a : b,
    );
    ack(me, newest);
    await ok(me, {
      type: "read",
      id: "read-p1",
      conversation_id: lastOfP1.conversation_id,
      seq: lastOfP1.seq,
    });
    const after = await list();
    assert.deepEqual(
      after.map((s) => s.unread_count),
      [0, 1, 1],
    );

    const firstPage = await ok(me, { type: "list_conversations", id: "page1", limit: 2 });
    assert.equal((firstPage.conversations as unknown[]).length, 2);
    const secondPage = await ok(me, {
      type: "list_conversations",
      id: "page2",
      limit: 2,
      page_token: firstPage.next_page_token,
    });
    assert.deepEqual(
      (secondPage.conversations as Summary[]).map((s) => s.conversation.peer_id),
      ["l-p2"],
    );
    assert.equal(secondPage.next_page_token ?? "", "");
  });
});
