import assert from "node:assert/strict";
import type { Msg, MsgCallback, NatsConnection } from "@nats-io/transport-node";
import { createLogger, EPHEMERAL_HEADER, Topology } from "@parley/common";
import type { InboxEntry } from "../../src/delivery/inbox-entry.js";
import { LiveSubscriptions, type LiveListener } from "../../src/delivery/live-subscriptions.js";

/** The part of a NatsConnection LiveSubscriptions uses: subscribe. */
class FakeNats {
  readonly subs: { callback: MsgCallback<Msg>; unsubscribed: boolean }[] = [];

  subscribe(_subject: string, opts: { callback: MsgCallback<Msg> }) {
    const sub = { callback: opts.callback, unsubscribed: false };
    this.subs.push(sub);
    return { unsubscribe: () => (sub.unsubscribed = true) };
  }
}

class Listener implements LiveListener {
  readonly seqs: number[] = [];
  resyncs = 0;
  onLive(entry: InboxEntry): void {
    this.seqs.push(entry.seq);
  }
  resync(): void {
    this.resyncs++;
  }
  readonly ephemerals: string[] = [];
  onEphemeral(frame: string): void {
    this.ephemerals.push(frame);
  }
}

/** A republished live entry; `data` is no valid ConversationEvent. */
function liveMsg(seq: number, prev: number, data = new Uint8Array([0xff])): Msg {
  const headers = new Map([
    ["Nats-Sequence", String(seq)],
    ["Nats-Last-Sequence", String(prev)],
  ]);
  return { headers: { get: (name: string) => headers.get(name) ?? "" }, data } as unknown as Msg;
}

const topology = new Topology({
  namespace: "unit",
  partitions: 1,
  replicas: 1,
  sendDedupWindowMs: 1_000,
  inboxMaxAgeMs: 1_000,
});
const log = createLogger("test", "silent");
const tick = (ms = 20) => new Promise((resolve) => setTimeout(resolve, ms));

describe("LiveSubscriptions", () => {
  let nats: FakeNats;
  let live: LiveSubscriptions;

  beforeEach(() => {
    nats = new FakeNats();
    live = new LiveSubscriptions(nats as unknown as NatsConnection, topology, log, 5);
  });

  it("should share one subscription among a user's devices", () => {
    const [a, b] = [new Listener(), new Listener()];
    const detachA = live.attach("amy", a);
    const detachB = live.attach("amy", b);
    nats.subs[0]!.callback(null, liveMsg(3, 0));
    assert.equal(nats.subs.length, 1);
    assert.deepEqual([a.seqs, b.seqs], [[3], [3]]);
    detachA();
    assert.equal(nats.subs[0]!.unsubscribed, false);
    detachB();
    assert.equal(nats.subs[0]!.unsubscribed, true);
  });

  it("should subscribe again after a failure and have the sessions re-read", async () => {
    const first = new Listener();
    live.attach("bo", first);
    nats.subs[0]!.callback(new Error("permissions violation"), {} as Msg);
    const later = new Listener();
    live.attach("bo", later);
    await tick();
    assert.equal(nats.subs.length, 2, "the dead subscription was replaced");
    assert.deepEqual([first.resyncs, later.resyncs], [1, 1]);
    nats.subs[1]!.callback(null, liveMsg(7, 0));
    assert.deepEqual([first.seqs, later.seqs], [[7], [7]]);
  });

  it("should not subscribe again when every device left after a failure", async () => {
    const detach = live.attach("cy", new Listener());
    nats.subs[0]!.callback(new Error("permissions violation"), {} as Msg);
    detach();
    await tick();
    assert.equal(nats.subs.length, 1);
  });

  it("should skip, without throwing, entries it cannot read and listeners that fail", () => {
    const good = new Listener();
    const failing: LiveListener = {
      onLive: () => {
        throw new Error("boom");
      },
      resync: () => {},
      onEphemeral: () => {},
    };
    live.attach("di", failing);
    live.attach("di", good);
    const broken = {
      get headers(): never {
        throw new Error("bad headers");
      },
    } as unknown as Msg;
    const { callback } = nats.subs[0]!;
    assert.doesNotThrow(() => callback(null, broken));
    assert.doesNotThrow(() => callback(null, liveMsg(4, 0)));
    assert.deepEqual(good.seqs, [4], "an undecodable entry still moves the others on");
  });

  it("should pass typing to every device as one frame, not as an inbox entry or a gap", () => {
    const [a, b] = [new Listener(), new Listener()];
    live.attach("ed", a);
    live.attach("ed", b);
    const body = { conversation_id: "g_team", user_id: "fay", expires_in_ms: 5000 };
    nats.subs[0]!.callback(null, ephemeralMsg("typing", body));
    nats.subs[0]!.callback(null, liveMsg(9, 0));
    const frame = { type: "typing", ...body };
    assert.deepEqual(
      a.ephemerals.map((f) => JSON.parse(f)),
      [frame],
    );
    assert.deepEqual(
      b.ephemerals.map((f) => JSON.parse(f)),
      [frame],
    );
    assert.deepEqual([a.seqs, b.seqs, a.resyncs], [[9], [9], 0]);
  });

  it("should drop ephemeral messages of unknown kinds or with malformed bodies", () => {
    const listener = new Listener();
    live.attach("fi", listener);
    const { callback } = nats.subs[0]!;
    callback(null, ephemeralMsg("confetti", { conversation_id: "g_team" }));
    callback(null, ephemeralMsg("typing", { conversation_id: "g_team", user_id: "a.b" }));
    callback(null, ephemeralMsg("typing", "not json"));
    assert.deepEqual([listener.ephemerals, listener.seqs], [[], []]);
  });
});

/** An ephemeral message as an edge publishes it (no sequence headers). */
function ephemeralMsg(kind: string, body: unknown): Msg {
  const headers = new Map([[EPHEMERAL_HEADER, kind]]);
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return {
    headers: { get: (name: string) => headers.get(name) ?? "" },
    data: new TextEncoder().encode(text),
  } as unknown as Msg;
}
