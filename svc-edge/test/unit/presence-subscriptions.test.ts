import assert from "node:assert/strict";
import type { Msg, MsgCallback, NatsConnection } from "@nats-io/transport-node";
import { createLogger, ErrorCode, Topology } from "@parley/common";
import { UserPresence } from "@parley/proto/parley/presence/v1/presence";
import { PresenceSubscriptions } from "../../src/presence/presence-subscriptions.js";
import { PresenceWatch } from "../../src/presence/presence-watch.js";

/** The part of a NatsConnection PresenceSubscriptions uses: subscribe and flush. */
class FakeNats {
  readonly subs = new Map<string, { callback: MsgCallback<Msg>; unsubscribed: boolean }>();
  flushes = 0;
  flushFails = false;

  async flush(): Promise<void> {
    this.flushes++;
    if (this.flushFails) throw new Error("connection closed");
  }

  subscribe(subject: string, opts: { callback: MsgCallback<Msg> }) {
    const sub = { callback: opts.callback, unsubscribed: false };
    this.subs.set(subject, sub);
    return { unsubscribe: () => (sub.unsubscribed = true) };
  }

  private version = 0;

  /** Publishes a change; versions grow unless one is given. */
  publish(userId: string, online: boolean, lastSeenMs = 0, version = ++this.version): void {
    const data = UserPresence.encode({ userId, online, lastSeenMs, version }).finish();
    this.subs.get(`unit.presence.${userId}`)!.callback(null, { data } as Msg);
  }

  live(): string[] {
    return [...this.subs].filter(([, s]) => !s.unsubscribed).map(([subject]) => subject);
  }
}

const topology = new Topology({
  namespace: "unit",
  partitions: 1,
  replicas: 1,
  sendDedupWindowMs: 1_000,
  inboxMaxAgeMs: 1_000,
});

describe("PresenceSubscriptions and PresenceWatch", () => {
  let nats: FakeNats;
  let subs: PresenceSubscriptions;
  const watch = () => {
    const sent: string[] = [];
    const w = new PresenceWatch(subs, (frame) => sent.push(frame));
    return { w, sent, users: () => sent.map((f) => JSON.parse(f).users[0].user_id) };
  };

  beforeEach(() => {
    nats = new FakeNats();
    subs = new PresenceSubscriptions(
      nats as unknown as NatsConnection,
      topology,
      createLogger("test", "silent"),
    );
  });

  it("should hold one subscription per watched user, shared, until the last watcher leaves", () => {
    const [a, b] = [watch(), watch()];
    a.w.replace(["bob", "carl"]);
    b.w.replace(["bob"]);
    a.w.answered("{}");
    b.w.answered("{}");
    assert.deepEqual(nats.live().sort(), ["unit.presence.bob", "unit.presence.carl"]);
    nats.publish("bob", false, 42);
    assert.deepEqual(JSON.parse(a.sent[1]!), {
      type: "presence",
      users: [{ user_id: "bob", online: false, last_seen: 42 }],
    });
    assert.equal(b.sent[1], a.sent[1], "serialised once");
    a.w.close();
    assert.deepEqual(nats.live(), ["unit.presence.bob"]);
    b.w.replace(["dan"]);
    assert.deepEqual(nats.live(), ["unit.presence.dan"]);
    assert.equal(subs.watchedUsers, 1);
  });

  it("should flush after new subscriptions only, and fail as unavailable when NATS cannot", async () => {
    const [a, b] = [watch(), watch()];
    a.w.replace(["bob"]);
    await subs.flush();
    assert.equal(nats.flushes, 1);
    b.w.replace(["bob"]);
    await subs.flush();
    assert.equal(nats.flushes, 1, "bob's subscription is at the server already");
    b.w.replace(["carl"]);
    nats.flushFails = true;
    await assert.rejects(subs.flush(), { code: ErrorCode.Unavailable });
    nats.flushFails = false;
    await subs.flush();
    assert.equal(nats.flushes, 3, "a failed flush covers nothing");
  });

  it("should hold pushes until the answer is sent, then send them after it", () => {
    const a = watch();
    a.w.replace(["bob"]);
    nats.publish("bob", true);
    assert.equal(a.sent.length, 0);
    a.w.answered(JSON.stringify({ type: "presence", id: "w1", users: [{ user_id: "bob" }] }));
    assert.deepEqual(
      a.sent.map((f) => JSON.parse(f).id),
      ["w1", undefined],
    );
  });

  it("should drop a push no newer than what was pushed or read before", () => {
    const a = watch();
    a.w.replace(["bob"]);
    a.w.answered("{}");
    nats.publish("bob", true, 0, 5);
    nats.publish("bob", false, 9, 3); // an older state, from another svc-presence instance
    nats.publish("bob", true, 0, 5); // the same state again
    assert.equal(a.sent.length, 2, "the answer and version 5 only");
    subs.observed("bob", 8); // a watch answer read version 8
    nats.publish("bob", false, 7, 7);
    assert.equal(a.sent.length, 2);
    nats.publish("bob", false, 9, 9);
    assert.equal(JSON.parse(a.sent[2]!).users[0].last_seen, 9);
  });

  it("should drop held pushes that the answer already supersedes", () => {
    const a = watch();
    a.w.replace(["bob", "carl"]);
    nats.publish("bob", true, 0, 4);
    nats.publish("carl", true, 0, 6);
    a.w.answered(
      JSON.stringify({ type: "presence", id: "w1", users: [] }),
      new Map([
        ["bob", 5],
        ["carl", 5],
      ]),
    );
    const pushed = a.sent.slice(1).map((f) => JSON.parse(f).users[0].user_id);
    assert.deepEqual(pushed, ["carl"]);
  });

  it("should watch nothing once closed, even when a pending frame replaces the set after", () => {
    const a = watch();
    a.w.close();
    a.w.replace(["bob"]);
    assert.deepEqual(nats.live(), []);
  });

  it("should run a connection's frames one after the other", async () => {
    const a = watch();
    const order: string[] = [];
    let release!: () => void;
    const first = a.w.run(async () => {
      await new Promise<void>((resolve) => (release = resolve));
      order.push("first");
    });
    const second = a.w.run(async () => void order.push("second"));
    await new Promise((resolve) => setImmediate(resolve));
    release();
    await Promise.all([first, second]);
    assert.deepEqual(order, ["first", "second"]);
  });
});
