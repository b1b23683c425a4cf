import assert from "node:assert/strict";
import { Kvm, type KV } from "@nats-io/kv";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { createLogger } from "@parley/common";
import { dropNatsNamespace } from "../../testkit/cleanup.js";
import { TEST_NATS_URL, uniqueNamespace } from "../../testkit/env.js";
import { CURSOR_WRITES_IN_FLIGHT, CursorStore } from "../src/delivery/cursor-store.js";

/** The bucket's requests the store makes, counted; `inFlight` over all of them. */
interface Counts {
  get: number;
  create: number;
  update: number;
  inFlight: number;
  maxInFlight: number;
}

/** The part of a KV the store uses, passing through to `kv` and counting. */
function counting(kv: KV): { kv: KV; counts: Counts } {
  const counts: Counts = { get: 0, create: 0, update: 0, inFlight: 0, maxInFlight: 0 };
  const track = <T>(name: "get" | "create" | "update", request: () => Promise<T>) => {
    counts[name]++;
    counts.inFlight++;
    counts.maxInFlight = Math.max(counts.maxInFlight, counts.inFlight);
    return request().finally(() => counts.inFlight--);
  };
  const wrapped = {
    get: (key: string) => track("get", () => kv.get(key)),
    create: (key: string, value: string) => track("create", () => kv.create(key, value)),
    update: (key: string, value: string, revision: number) =>
      track("update", () => kv.update(key, value, revision)),
    delete: (key: string) => kv.delete(key),
  };
  return { kv: wrapped as unknown as KV, counts };
}

describe("svc-edge CursorStore", () => {
  const namespace = uniqueNamespace();
  const log = createLogger("test", "silent");
  let nc: NatsConnection;
  let kv: KV;
  let counts: Counts;
  let cursors: CursorStore;

  before(async () => {
    nc = await connect({ servers: TEST_NATS_URL });
    kv = await new Kvm(nc).create(`${namespace}_cursors`, { history: 1 });
  });
  after(async () => {
    await nc?.close();
    await dropNatsNamespace(namespace);
  });
  beforeEach(() => {
    const counted = counting(kv);
    counts = counted.counts;
    cursors = new CursorStore(counted.kv, 60_000, log);
  });
  afterEach(() => cursors.stop());

  /** The cursor as stored in the bucket. */
  async function stored(key: string): Promise<number> {
    const entry = await kv.get(key);
    return entry?.operation === "PUT" ? Number(entry.string()) : 0;
  }

  async function write(key: string, seq: number): Promise<void> {
    cursors.advance(key, seq);
    await cursors.flush(key);
  }

  it("should write a key of a session with one request once it was read", async () => {
    cursors.attach("amy.d1");
    assert.equal(await cursors.read("amy.d1"), 0);
    await write("amy.d1", 5);
    await write("amy.d1", 9);
    await write("amy.d1", 12);
    assert.deepEqual([counts.get, counts.create, counts.update], [1, 1, 2]);
    assert.equal(await stored("amy.d1"), 12);

    // A key first written without a read costs one get, then no more.
    cursors.attach("amy.d2");
    await write("amy.d2", 3);
    await write("amy.d2", 4);
    assert.deepEqual([counts.get, counts.create, counts.update], [2, 2, 3]);
    assert.equal(await stored("amy.d2"), 4);
  });

  it("should write nothing for an ack behind what it stored", async () => {
    cursors.attach("ben.d1");
    await write("ben.d1", 7);
    const requests = counts.get + counts.create + counts.update;
    await write("ben.d1", 7);
    await write("ben.d1", 2);
    assert.equal(counts.get + counts.create + counts.update, requests);
    assert.equal(await stored("ben.d1"), 7);
  });

  it("should keep a cursor another writer moved further", async () => {
    cursors.attach("cy.d1");
    await write("cy.d1", 5);
    await kv.put("cy.d1", "20"); // another edge, since
    await write("cy.d1", 10);
    assert.equal(await stored("cy.d1"), 20);
    // The conflict's get refreshed what the store knows: one request again.
    const gets = counts.get;
    await write("cy.d1", 30);
    assert.equal(counts.get, gets);
    assert.equal(await stored("cy.d1"), 30);
  });

  it("should move past a cursor another writer moved less far", async () => {
    cursors.attach("dee.d1");
    await write("dee.d1", 5);
    await kv.put("dee.d1", "7");
    await write("dee.d1", 10);
    assert.equal(await stored("dee.d1"), 10);
    assert.equal(await cursors.read("dee.d1"), 10);
  });

  it("should write a key another writer created after the store read it absent", async () => {
    cursors.attach("eve.d1");
    assert.equal(await cursors.read("eve.d1"), 0);
    await kv.put("eve.d1", "4");
    await write("eve.d1", 3);
    assert.equal(await stored("eve.d1"), 4);
    await write("eve.d1", 6);
    assert.equal(await stored("eve.d1"), 6);
  });

  it("should write many dirty keys with at most the cap in flight", async () => {
    const keys = Array.from({ length: 500 }, (_, i) => `many.d${i}`);
    keys.forEach((key, i) => cursors.advance(key, i + 1));
    await cursors.flushAll();
    assert.ok(counts.maxInFlight > 1, `max in flight ${counts.maxInFlight}`);
    assert.ok(counts.maxInFlight <= CURSOR_WRITES_IN_FLIGHT, `max ${counts.maxInFlight}`);
    const values = await Promise.all(keys.map((key) => stored(key)));
    assert.deepEqual(
      values,
      keys.map((_, i) => i + 1),
    );
  });

  it("should forget a key on remove and write it again from scratch", async () => {
    cursors.attach("fay.d1");
    await write("fay.d1", 5);
    await cursors.remove("fay.d1");
    assert.equal(await stored("fay.d1"), 0);
    // What it saw (5) is gone: a lower cursor is written, over the delete.
    const gets = counts.get;
    await write("fay.d1", 3);
    assert.equal(counts.get, gets + 1);
    assert.equal(await stored("fay.d1"), 3);
  });

  it("should not write back a removed key whose write in flight failed", async () => {
    const failing = {
      get: () => Promise.resolve(null),
      create: () => Promise.reject(new Error("bucket unavailable")),
      update: () => Promise.reject(new Error("bucket unavailable")),
      delete: (key: string) => kv.delete(key),
    } as unknown as KV;
    const store = new CursorStore(failing, 60_000, log);
    store.advance("gil.d1", 7);
    const writing = store.flush("gil.d1");
    await store.remove("gil.d1");
    await writing;
    // Nothing is dirty again: a later flush writes nothing back.
    let writes = 0;
    (failing as unknown as { create: () => Promise<never> }).create = () => {
      writes++;
      return Promise.reject(new Error("bucket unavailable"));
    };
    await store.flushAll();
    assert.equal(writes, 0);
    await store.stop();
  });

  it("should forget a key when its last session detaches, after writing its acks", async () => {
    cursors.attach("gus.d1");
    cursors.attach("gus.d1"); // a newer session, before the old one closed
    await write("gus.d1", 2);
    cursors.advance("gus.d1", 4);
    await cursors.detach("gus.d1");
    assert.equal(await stored("gus.d1"), 4);
    let gets = counts.get;
    await write("gus.d1", 5);
    assert.equal(counts.get, gets, "still known to the newer session");

    cursors.advance("gus.d1", 6);
    await cursors.detach("gus.d1");
    assert.equal(await stored("gus.d1"), 6);
    gets = counts.get;
    await write("gus.d1", 7);
    await write("gus.d1", 8);
    assert.equal(counts.get, gets + 2, "not remembered without a session");
    assert.equal(await stored("gus.d1"), 8);
  });

  it("should let a read wait for the key's write in flight", async () => {
    cursors.attach("hal.d1");
    await write("hal.d1", 1);
    cursors.advance("hal.d1", 9);
    void cursors.detach("hal.d1");
    assert.equal(await cursors.read("hal.d1"), 9);
  });

  it("should write what was acked meanwhile at a later tick", async () => {
    const ticking = new CursorStore(counting(kv).kv, 50, log);
    ticking.start();
    try {
      ticking.advance("ivy.d1", 1);
      const first = ticking.flush("ivy.d1");
      ticking.advance("ivy.d1", 2);
      await first;
      for (let i = 0; i < 100 && (await stored("ivy.d1")) !== 2; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.equal(await stored("ivy.d1"), 2);
    } finally {
      await ticking.stop();
    }
  });
});
