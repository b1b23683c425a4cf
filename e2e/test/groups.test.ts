import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { TestClient, type Frame } from "../../svc-edge/test/support/ws-client.js";
import { TEST_NATS_URL } from "../../testkit/env.js";
import { eventually } from "../../testkit/eventually.js";
import { Clients, ok } from "../support/clients.js";
import { System } from "../support/system.js";

interface View {
  id: string;
  seq: number;
  from: string;
  body?: string;
  membership?: { action: string; actor: string; user_ids: string[] };
}
const viewOf = (frame: Frame) => frame.message as View;
const bodies = (frames: Frame[]) =>
  frames.map((f) => viewOf(f).body ?? viewOf(f).membership?.action);

describe("e2e groups: fanout, order and membership", () => {
  let system: System;
  const clients = new Clients(() => system.edgeUrl);
  const open = (user: string, device?: string) => clients.open(user, device);
  const createGroup = async (admin: TestClient, id: string, members: string[]) => {
    const created = await ok(admin, { type: "create_group", id, title: `group ${id}`, members });
    return (created.conversation as { conversation_id: string }).conversation_id;
  };

  before(async () => {
    system = await System.start();
  });

  afterEach(async () => {
    await clients.closeAll();
  });

  after(async () => {
    await system?.stop();
  });

  it("should deliver every message of a group of 10 to every member once, in one order", async () => {
    const users = Array.from({ length: 10 }, (_, i) => `ten${i}`);
    const members = await Promise.all(users.map((u) => open(u)));
    // The admin's second device receives what the admin sends from the first.
    const adminPhone = await open("ten0", "phone");
    const group = await createGroup(members[0]!, "g10", users.slice(1));

    const sends = Array.from({ length: 40 }, (_, i) =>
      ok(members[0]!, { type: "send", id: `s${i}`, conversation_id: group, body: `m${i}` }),
    );
    const sent = await Promise.all(sends);

    const expected = ["created", ...sent.map((_, i) => `m${i}`)];
    // The sending device has its `sent` answers: it gets the creation only.
    for (const client of [...members.slice(1), adminPhone]) {
      const got = await client.messages(41);
      assert.deepEqual(bodies(got), expected);
      const seqs = got.map((f) => viewOf(f).seq);
      assert.deepEqual(
        seqs,
        [...seqs].sort((a, b) => a - b),
      );
    }
    await sleep(200);
    for (const client of members.slice(1)) {
      assert.equal(client.receivedMessages().length, 41, "no doubles");
    }
    assert.deepEqual(bodies(members[0]!.receivedMessages()), ["created"]);
  });

  it("should give every member one identical order when two members send at once", async () => {
    const users = ["two0", "two1", "two2", "two3", "two4"];
    const members = await Promise.all(users.map((u) => open(u)));
    const group = await createGroup(members[0]!, "g2", users.slice(1));
    await Promise.all(members.map((m) => m.messages(1)));

    const burst = (client: TestClient, who: string) =>
      Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          ok(client, {
            type: "send",
            id: `${who}-${i}`,
            conversation_id: group,
            body: `${who}${i}`,
          }),
        ),
      );
    await Promise.all([burst(members[0]!, "a"), burst(members[1]!, "b")]);

    // The two senders get each other's 30; the others all 60, in one order.
    const [fromB, fromA, ...orders] = await Promise.all(
      members.map(async (m, i) => bodies(await m.messages(i < 2 ? 30 : 60))),
    );
    for (const order of orders.slice(1)) assert.deepEqual(order, orders[0]);
    assert.deepEqual(
      fromB,
      orders[0]!.filter((b) => b!.startsWith("b")),
    );
    assert.deepEqual(
      fromA,
      orders[0]!.filter((b) => b!.startsWith("a")),
    );
    // Each sender's messages keep the order it sent them in.
    const aOnly = orders[0]!.filter((b) => b!.startsWith("a"));
    assert.deepEqual(
      aOnly,
      Array.from({ length: 30 }, (_, i) => `a${i}`),
    );
  });

  it("should stop delivering to a removed member and refuse its sends", async () => {
    const [admin, stays, leaves] = await Promise.all([open("rm0"), open("rm1"), open("rm2")]);
    const group = await createGroup(admin!, "grm", ["rm1", "rm2"]);
    await Promise.all([admin!, stays!, leaves!].map((c) => c.messages(1)));

    await ok(admin!, { type: "remove_member", id: "rm", conversation_id: group, user_id: "rm2" });
    const [removal] = await leaves!.messages(1);
    assert.equal(viewOf(removal!).membership?.action, "removed");
    assert.deepEqual(viewOf(removal!).membership?.user_ids, ["rm2"]);

    await ok(admin!, { type: "send", id: "after", conversation_id: group, body: "after" });
    const [, seen] = await stays!.messages(2);
    assert.equal(viewOf(seen!).body, "after");
    await sleep(300);
    assert.deepEqual(bodies(leaves!.receivedMessages()), ["created", "removed"]);

    const refused = await leaves!.request({
      type: "send",
      id: "x",
      conversation_id: group,
      body: "still here?",
    });
    assert.equal(refused.type, "error");
    assert.equal(refused.code, "permission_denied");

    const history = await leaves!.request({ type: "history", id: "h", conversation_id: group });
    assert.equal(history.code, "permission_denied");
  });

  it("should give a new member only what is sent after joining, live and in history", async () => {
    const [admin, newcomer] = await Promise.all([open("add0"), open("add1")]);
    const group = await createGroup(admin!, "gadd", ["add2"]);
    await ok(admin!, { type: "send", id: "before", conversation_id: group, body: "before" });
    await ok(admin!, {
      type: "add_members",
      id: "add",
      conversation_id: group,
      user_ids: ["add1"],
    });
    await ok(admin!, { type: "send", id: "after", conversation_id: group, body: "after" });

    const got = await newcomer!.messages(2);
    assert.deepEqual(bodies(got), ["added", "after"]);

    let stored: View[] = [];
    await eventually(
      async () => {
        const page = await newcomer!.request({
          type: "history",
          id: `h${Date.now()}`,
          conversation_id: group,
        });
        stored = (page.messages as View[] | undefined) ?? [];
        return stored.length >= 2;
      },
      5_000,
      "the newcomer's history",
      100,
    );
    assert.deepEqual(
      stored.map((m) => m.body ?? m.membership?.action),
      ["added", "after"],
    );
  });

  it("should let the last admin leave and promote the member who joined first", async () => {
    const [admin, first] = await Promise.all([open("lv0"), open("lv1")]);
    const group = await createGroup(admin!, "glv", ["lv1", "lv2"]);
    const left = await ok(admin!, { type: "leave_group", id: "leave", conversation_id: group });
    const events = (left.events as View[]).map((e) => e.membership?.action);
    assert.deepEqual(events, ["left", "promoted"]);

    const members = await ok(first!, { type: "list_members", id: "lm", conversation_id: group });
    const roles = Object.fromEntries(
      (members.members as { user_id: string; role: string }[]).map((m) => [m.user_id, m.role]),
    );
    assert.deepEqual(roles, { lv1: "admin", lv2: "member" });
  });

  it("should fan a message out to all 1,024 members of a full group, and refuse a 1,025th", async () => {
    const admin = await open("big0");
    const last = await open("big1023");
    const others = Array.from({ length: 1023 }, (_, i) => `big${i + 1}`);
    const group = await createGroup(admin, "gbig", others);
    const sent = await ok(admin, {
      type: "send",
      id: "hello",
      conversation_id: group,
      body: "hi all",
    });
    const [, got] = await last.messages(2);
    assert.equal(viewOf(got!).id, sent.message_id);

    // Every member's inbox holds the created event and the message.
    const nc = await connect({ servers: TEST_NATS_URL });
    try {
      const jsm = await jetstreamManager(nc);
      const prefix = `${system.namespace}.inbox.big`;
      await eventually(
        async () => {
          const info = await jsm.streams.info(`${system.namespace.toUpperCase()}_INBOX`, {
            subjects_filter: `${system.namespace}.inbox.>`,
          });
          const counts = Object.entries(info.state.subjects ?? {})
            .filter(([subject]) => subject.startsWith(prefix))
            .map(([, n]) => n);
          return counts.length === 1024 && counts.every((n) => n === 2);
        },
        20_000,
        "two inbox entries for each of the 1,024 members",
        200,
      );
    } finally {
      await nc.close();
    }

    const full = await admin.request({
      type: "add_members",
      id: "one-more",
      conversation_id: group,
      user_ids: ["big1024"],
    });
    assert.equal(full.type, "error");
    assert.equal(full.code, "invalid_argument");
    const tooMany = await admin.request({
      type: "create_group",
      id: "g1025",
      title: "too many",
      members: Array.from({ length: 1024 }, (_, i) => `over${i}`),
    });
    assert.equal(tooMany.code, "invalid_argument");
  });
});
