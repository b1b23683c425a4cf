import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { createClient } from "@parley/common";
import {
  PresenceServiceClient,
  type WatchPresenceResponse,
} from "@parley/proto/parley/presence/v1/presence";
import type { TestClient, Frame } from "../../svc-edge/test/support/ws-client.js";
import { eventually } from "../../testkit/eventually.js";
import { Clients, ok } from "../support/clients.js";
import { System } from "../support/system.js";

type Seen = { user_id: string; online: boolean; last_seen?: number };

// Short enough for a test, in the proportions of the defaults (the lease
// twice the grace period).
const GRACE_MS = 1_500;
const LEASE_TTL_MS = 3_000;
const SWEEP_INTERVAL_MS = 200;
const REPORT_INTERVAL_MS = 200;
const SETTINGS = {
  EDGE_PRESENCE_INTERVAL_MS: String(REPORT_INTERVAL_MS),
  PRESENCE_LEASE_TTL_MS: String(LEASE_TTL_MS),
  PRESENCE_OFFLINE_GRACE_MS: String(GRACE_MS),
  PRESENCE_SWEEP_INTERVAL_MS: String(SWEEP_INTERVAL_MS),
};

describe("e2e presence and typing", () => {
  let system: System;
  const clients = new Clients(() => system.edgeUrl);
  const open = (user: string, device?: string) => clients.open(user, device);

  /** Makes two users contacts: a 1:1 message, stored by history. */
  async function contacts(a: TestClient, b: string): Promise<void> {
    await ok(a, { type: "send", id: `hi-${b}`, to: b, body: "hi" });
  }

  /**
   * Watches `users` until those in `visible` are (history stores contacts a
   * batch late).
   */
  async function watch(watcher: TestClient, users: string[], visible = users): Promise<Frame> {
    let answer: Frame | undefined;
    await eventually(
      async () => {
        answer = await ok(watcher, {
          type: "watch_presence",
          id: `w${Date.now()}`,
          user_ids: users,
        });
        const hidden = answer.not_visible as string[];
        return visible.every((u) => !hidden.includes(u));
      },
      5_000,
      "the watched users visible",
      100,
    );
    return answer!;
  }

  /**
   * The next pushed presence of `user` that says `online` (a push may
   * repeat the state a watch answer already gave: presence is state, not
   * a list of events).
   */
  const pushed = (client: TestClient, user: string, online: boolean, timeoutMs = 10_000) =>
    client
      .next(
        (f) =>
          f.type === "presence" &&
          f.id === undefined &&
          (f.users as Seen[]).some((u) => u.user_id === user && u.online === online),
        timeoutMs,
      )
      .then((f) => (f.users as Seen[]).find((u) => u.user_id === user)!);

  /**
   * Waits until the watcher has seen `user` online: in the watch answer, or
   * in a push after it (the edge reports connects once per interval, so a
   * user who just connected may still show offline in the answer).
   */
  async function seenOnline(watcher: TestClient, answer: Frame, user: string): Promise<void> {
    const listed = (answer.users as Seen[]).find((u) => u.user_id === user);
    if (!listed?.online) await pushed(watcher, user, true);
  }

  before(async () => {
    system = await System.start(SETTINGS);
  });

  afterEach(async () => {
    await clients.closeAll();
  });

  after(async () => {
    await system?.stop();
  });

  it("should show a contact online, then offline with last seen after a real disconnect", async () => {
    const watcher = await open("p-watcher");
    const friend = await open("p-friend");
    await contacts(watcher, "p-friend");
    const first = await watch(watcher, ["p-friend", "p-stranger"], ["p-friend"]);
    assert.deepEqual(
      (first.users as Seen[]).map((u) => u.user_id),
      ["p-friend"],
    );
    assert.deepEqual(first.not_visible, ["p-stranger"]);
    await seenOnline(watcher, first, "p-friend");

    const left = Date.now();
    await friend.close();
    const offline = await pushed(watcher, "p-friend", false);
    assert.ok(Date.now() - left >= GRACE_MS, "offline only after the grace period");
    assert.ok(offline.last_seen! >= left - 1_000 && offline.last_seen! <= Date.now());

    await open("p-friend");
    await pushed(watcher, "p-friend", true);
  });

  it("should not refuse to show a non-contact, only leave it out", async () => {
    const watcher = await open("p-alone");
    const answer = await ok(watcher, {
      type: "watch_presence",
      id: "w",
      user_ids: ["p-nobody"],
    });
    assert.deepEqual(answer.users, []);
    assert.deepEqual(answer.not_visible, ["p-nobody"]);
  });

  it("should show no offline for a reconnect within the grace period", async () => {
    const watcher = await open("q-watcher");
    const flaky = await open("q-flaky");
    await contacts(watcher, "q-flaky");
    await seenOnline(watcher, await watch(watcher, ["q-flaky"]), "q-flaky");
    const mark = watcher.frames.length;

    await flaky.close();
    await sleep(GRACE_MS / 2);
    await open("q-flaky");
    await sleep(GRACE_MS * 2);
    const offline = watcher.frames
      .slice(mark)
      .filter((f) => f.type === "presence" && (f.users as Seen[]).some((u) => !u.online));
    assert.deepEqual(offline, [], "never shown offline");
  });

  it("should turn the users of a killed edge offline within the lease TTL", async () => {
    await open("k-victim");
    const presence = createClient(PresenceServiceClient, system.address("presence"));
    const updates: WatchPresenceResponse[] = [];
    const stream = presence.watchPresence({ userIds: ["k-victim"] });
    stream.on("data", (u: WatchPresenceResponse) => updates.push(u));
    stream.on("error", () => undefined); // the cancel below ends it with an error
    try {
      await eventually(
        () => updates.some((u) => u.presence?.online === true),
        5_000,
        "k-victim online",
      );
      const mark = updates.length;
      const killedAt = Date.now();
      await system.kill("edge"); // no goodbye
      const offline = () => updates.slice(mark).find((u) => u.presence?.online === false);
      await eventually(() => offline() !== undefined, 10_000, "k-victim offline", 20);
      // The grace period counts from the edge's last report (at most an
      // interval before the kill) and is over when the lease ends.
      const tookMs = Date.now() - killedAt;
      const withinMs = LEASE_TTL_MS + SWEEP_INTERVAL_MS + 500;
      assert.ok(tookMs <= withinMs, `offline ${tookMs} ms after the kill, not within ${withinMs}`);
      assert.ok(tookMs >= LEASE_TTL_MS - REPORT_INTERVAL_MS - 100, `offline too soon: ${tookMs}`);
      const lastSeen = offline()!.presence!.lastSeenMs;
      assert.ok(
        lastSeen <= killedAt && lastSeen >= killedAt - REPORT_INTERVAL_MS - 500,
        `last seen ${killedAt - lastSeen} ms before the kill: the edge's last report`,
      );
    } finally {
      stream.cancel();
      presence.close();
      await system.startOne("edge");
    }
  });

  it("should pass typing to the other members only, and not repeat it", async () => {
    const [ann, ben, cat, out] = await Promise.all(
      ["t-ann", "t-ben", "t-cat", "t-out"].map((u) => open(u)),
    );
    const created = await ok(ann!, {
      type: "create_group",
      id: "g",
      title: "typing",
      members: ["t-ben", "t-cat"],
    });
    const group = (created.conversation as { conversation_id: string }).conversation_id;

    ann!.send({ type: "typing", conversation_id: group });
    for (const member of [ben!, cat!]) {
      const typing = await member.next((f) => f.type === "typing", 5_000);
      assert.equal(typing.conversation_id, group);
      assert.equal(typing.user_id, "t-ann");
      assert.ok((typing.expires_in_ms as number) > 0);
    }
    const refused = await out!.request({ type: "typing", id: "t", conversation_id: group });
    assert.equal(refused.code, "permission_denied");

    await sleep(1_000);
    for (const client of [ann!, ben!, cat!, out!]) {
      const typings = client.frames.filter((f) => f.type === "typing");
      assert.equal(typings.length, client === ben || client === cat ? 1 : 0);
    }
  });
});

describe("e2e presence with the default timings", () => {
  let system: System;
  const clients = new Clients(() => system.edgeUrl);

  before(async () => {
    system = await System.start();
  });

  after(async () => {
    await clients.closeAll();
    await system?.stop();
  });

  it("should never show offline for a 2-second reconnect", async function () {
    // The default report interval (5 s), grace (15 s) and sweep, waited out.
    this.timeout(90_000);
    const watcher = await clients.open("d-watcher");
    const phone = await clients.open("d-phone");
    await ok(watcher, { type: "send", id: "hi", to: "d-phone", body: "hi" });
    let answer: Frame | undefined;
    await eventually(
      async () => {
        answer = await ok(watcher, {
          type: "watch_presence",
          id: `w${Date.now()}`,
          user_ids: ["d-phone"],
        });
        return (answer.users as Seen[]).length === 1;
      },
      10_000,
      "d-phone visible",
      200,
    );
    const shown = (f: Frame) =>
      f.type === "presence" && (f.users as Seen[]).some((u) => u.user_id === "d-phone");
    if (!(answer!.users as Seen[])[0]!.online) {
      await watcher.next((f) => shown(f) && (f.users as Seen[])[0]!.online, 15_000);
    }
    const mark = watcher.frames.length;

    await phone.close();
    await sleep(2_000);
    await clients.open("d-phone");
    await sleep(5_000 + 15_000 + 3_000);
    const offline = watcher.frames
      .slice(mark)
      .filter((f) => shown(f) && (f.users as Seen[]).some((u) => !u.online));
    assert.deepEqual(offline, [], "never shown offline");
  });
});
