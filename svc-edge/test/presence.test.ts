import assert from "node:assert/strict";
import { uniqueNamespace } from "../../testkit/env.js";
import { eventually } from "../../testkit/eventually.js";
import { EdgeDeployment } from "./support/deployment.js";
import { FakeConversations } from "./support/fake-conversations.js";
import { FakePresence } from "./support/fake-presence.js";
import { testTopology } from "./support/topology.js";
import type { Frame, TestClient } from "./support/ws-client.js";

const isPush = (f: Frame) => f.type === "presence" && f.id === undefined;

/** The next presence push, which must be about `userId`. */
async function nextPush(client: TestClient, userId: string): Promise<Frame> {
  const push = await client.next(isPush);
  assert.equal((push.users as { user_id: string }[])[0]?.user_id, userId);
  return push;
}

describe("svc-edge presence (PresenceService and ConversationService from tables, real NATS)", () => {
  const namespace = uniqueNamespace();
  let conversations: FakeConversations;
  let presence: FakePresence;
  let dep: EdgeDeployment;
  const clients: TestClient[] = [];
  const open = async (userId: string, deviceId = "d1") => {
    const client = await dep.open(userId, deviceId);
    clients.push(client);
    return client;
  };
  const env = () => ({
    HISTORY_ADDRESS: conversations.address,
    PRESENCE_ADDRESS: presence.address,
    EDGE_PRESENCE_INTERVAL_MS: "100",
  });

  before(async () => {
    conversations = await FakeConversations.start();
    presence = await FakePresence.start(testTopology(namespace));
    dep = await EdgeDeployment.start(env(), namespace);
    // Everyone is everyone's contact, except "stranger".
    conversations.answers.filterContacts = async (r) => ({
      contactIds: r.candidateIds.filter((id) => id !== "stranger"),
    });
  });
  after(async () => {
    await dep?.stop();
    await conversations?.stop();
    await presence?.stop();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    presence.getFails = false;
  });

  it("should report a hello as a connect and a close as a disconnect, a replacement as neither", async () => {
    const first = await open("rita", "phone");
    await eventually(() => presence.events().includes("+rita.phone"), 5_000, "connect reported");
    const second = await open("rita", "phone");
    assert.equal((await first.closed).code, 4409);
    await second.close();
    await eventually(() => presence.events().includes("-rita.phone"), 5_000, "disconnect reported");
    const rita = presence.events().filter((e) => e.includes("rita"));
    assert.deepEqual(rita, ["+rita.phone", "-rita.phone"]);
  });

  it("should report once per interval, empty reports included, under one edge id", async () => {
    const before = presence.reports.length;
    await eventually(() => presence.reports.length >= before + 3, 5_000, "three reports");
    assert.equal(new Set(presence.reports.map((r) => r.edgeId)).size, 1);
  });

  it("should answer with the contacts' presence, list the others as not visible, then push changes", async () => {
    presence.table.set("bob", { userId: "bob", online: true, lastSeenMs: 0, version: 1 });
    presence.table.set("carl", { userId: "carl", online: false, lastSeenMs: 1_234, version: 2 });
    const amy = await open("amy");
    const answer = await amy.request({
      type: "watch_presence",
      id: "w1",
      user_ids: ["bob", "stranger", "carl"],
    });
    assert.deepEqual(answer, {
      type: "presence",
      id: "w1",
      users: [
        { user_id: "bob", online: true },
        { user_id: "carl", online: false, last_seen: 1_234 },
      ],
      not_visible: ["stranger"],
    });
    const asked = conversations.requestsOf("filterContacts").at(-1)!;
    assert.deepEqual(asked, { userId: "amy", candidateIds: ["bob", "stranger", "carl"] });
    assert.deepEqual(presence.reads.at(-1), { userIds: ["bob", "carl"] });

    await presence.change("carl", true);
    assert.deepEqual(await amy.next(isPush), {
      type: "presence",
      users: [{ user_id: "carl", online: true }],
    });
    // A user who is not visible is not pushed: the next push is bob's.
    await presence.change("stranger", true);
    await presence.change("bob", false, 9_999);
    assert.deepEqual(await amy.next(isPush), {
      type: "presence",
      users: [{ user_id: "bob", online: false, last_seen: 9_999 }],
    });
  });

  it("should replace the watch set with each frame, and watch nobody after []", async () => {
    const amy = await open("amy");
    await amy.request({ type: "watch_presence", id: "w1", user_ids: ["bob"] });
    await amy.request({ type: "watch_presence", id: "w2", user_ids: ["carl"] });
    await presence.change("bob", true);
    await presence.change("carl", false, 5);
    await nextPush(amy, "carl");
    const stop = await amy.request({ type: "watch_presence", id: "w3", user_ids: [] });
    assert.deepEqual(stop, { type: "presence", id: "w3", users: [], not_visible: [] });
    await amy.request({ type: "watch_presence", id: "w4", user_ids: ["dan"] });
    await presence.change("carl", true);
    await presence.change("dan", true);
    await nextPush(amy, "dan");
    assert.equal(amy.frames.filter(isPush).length, 2, "nothing of bob, nor of carl after w3");
  });

  it("should push to every connection watching a user, and go on after one of them closes", async () => {
    const [amy, bob] = [await open("amy"), await open("bob")];
    await amy.request({ type: "watch_presence", id: "w1", user_ids: ["carl"] });
    await bob.request({ type: "watch_presence", id: "w1", user_ids: ["carl"] });
    await presence.change("carl", true);
    await Promise.all([nextPush(amy, "carl"), nextPush(bob, "carl")]);
    await amy.close();
    await presence.change("carl", false, 77);
    const push = await nextPush(bob, "carl");
    assert.deepEqual(push.users, [{ user_id: "carl", online: false, last_seen: 77 }]);
  });

  it("should answer unavailable and watch nobody when svc-presence cannot answer", async () => {
    const amy = await open("amy");
    presence.getFails = true;
    const error = await amy.request({ type: "watch_presence", id: "w1", user_ids: ["carl"] });
    assert.equal(error.type, "error");
    assert.equal(error.code, "unavailable");
    presence.getFails = false;
    await amy.request({ type: "watch_presence", id: "w2", user_ids: ["dan"] });
    await presence.change("carl", true);
    await presence.change("dan", false, 1);
    await nextPush(amy, "dan");
    assert.equal(amy.frames.filter(isPush).length, 1);
  });

  it("should give up a report at EDGE_PRESENCE_REPORT_DEADLINE_MS and start over under a new edge id", async () => {
    // A general deadline far beyond the test: only the report's own can end the call.
    const other = await EdgeDeployment.start(
      { ...env(), EDGE_GRPC_DEADLINE_MS: "600000", EDGE_PRESENCE_REPORT_DEADLINE_MS: "200" },
      namespace,
    );
    try {
      presence.hangNextReportOf.add("hank");
      await other.open("hank");
      await eventually(() => !presence.hangNextReportOf.has("hank"), 5_000, "hank's report sent");
      const hung = presence.reports.find((r) => r.events.some((e) => e.userId === "hank"))!;
      await eventually(
        () => presence.reports.some((r) => r.edgeId === hung.edgeId && r.goodbye),
        5_000,
        "the old id's goodbye",
      );
      const later = presence.reports.slice(presence.reports.indexOf(hung) + 1);
      const snapshotAt = later.findIndex(
        (r) => r.snapshot && r.edgeId !== hung.edgeId && r.events.some((e) => e.userId === "hank"),
      );
      const old = later.flatMap((r, i) => (r.edgeId === hung.edgeId ? [[i, r.goodbye]] : []));
      assert.ok(snapshotAt >= 0, "a snapshot with hank under a new id");
      assert.equal(old.length, 1, "nothing re-sent under the old id, only its goodbye");
      assert.ok(snapshotAt < (old[0]![0] as number), "the goodbye after the snapshot");
    } finally {
      await other.edge.stop();
    }
  });

  it("should say goodbye when the edge stops, after its sockets closed", async () => {
    // Same namespace as the main edge: stop the process only, not the streams.
    const other = await EdgeDeployment.start(env(), namespace);
    const gus = await other.open("gus");
    await eventually(() => presence.events().includes("+gus.d1"), 5_000, "gus reported");
    const edgeId = presence.reports.find((r) => r.events.some((e) => e.userId === "gus"))!.edgeId;
    await other.edge.stop();
    assert.equal((await gus.closed).code, 1001);
    const last = presence.reports.filter((r) => r.edgeId === edgeId).at(-1)!;
    assert.deepEqual([last.goodbye, last.snapshot, last.events], [true, false, []]);
  });
});
