import { MembershipCache, ParleyError, type Membership } from "@parley/common";
import assert from "node:assert/strict";

/**
 * A members source whose answers the test releases by hand, recording who
 * asked. The table says who belongs to which group right now.
 */
function heldSource(table: Map<string, Membership>) {
  const reads: { conversationId: string; readerId: string }[] = [];
  const pending: (() => void)[] = [];
  const source = {
    list(conversationId: string, readerId: string): Promise<Membership> {
      reads.push({ conversationId, readerId });
      return new Promise((resolve, reject) => {
        pending.push(() => {
          const m = table.get(conversationId);
          if (m?.memberIds.includes(readerId)) resolve({ ...m, memberIds: [...m.memberIds] });
          else reject(ParleyError.denied("not a member of this group"));
        });
      });
    },
  };
  const releaseAll = () => pending.splice(0).forEach((answer) => answer());
  return { source, reads, releaseAll };
}

/** Lets queued promise callbacks run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("membership cache", () => {
  const options = { maxMemberIds: 1_000, ttlMs: 60_000, notAMember: "not a member of this group" };

  it("should share one read among concurrent misses of one group", async () => {
    const table = new Map([["g_1", { version: 1, memberIds: ["a", "b", "c"] }]]);
    const { source, reads, releaseAll } = heldSource(table);
    const cache = new MembershipCache(source, options);
    const asks = ["a", "b", "c", "a"].map((u) => cache.forSender("g_1", u));
    await settle();
    releaseAll();
    for (const m of await Promise.all(asks)) assert.equal(m.version, 1);
    assert.equal(reads.length, 1);
    await cache.forSender("g_1", "b");
    assert.equal(reads.length, 1, "served from the cache");
  });

  it("should refuse a non-member without failing the members who waited on its read", async () => {
    const table = new Map([["g_1", { version: 1, memberIds: ["a"] }]]);
    const { source, reads, releaseAll } = heldSource(table);
    const cache = new MembershipCache(source, options);
    const stranger = cache.forSender("g_1", "x");
    const member = cache.forSender("g_1", "a");
    const refused = assert.rejects(stranger, (err: ParleyError) => {
      assert.equal(err.code, "permission_denied");
      assert.equal(err.message, "not a member of this group");
      return true;
    });
    while (reads.length < 2) {
      await settle();
      releaseAll();
    }
    await refused;
    assert.equal((await member).version, 1);
  });

  it("should read again when the group is invalidated while its read is in flight", async () => {
    const table = new Map([["g_1", { version: 1, memberIds: ["a", "b"] }]]);
    const { source, reads, releaseAll } = heldSource(table);
    const cache = new MembershipCache(source, options);
    const ask = cache.forSender("g_1", "a");
    await settle();
    // The change commits while the first read is on its way back.
    table.set("g_1", { version: 2, memberIds: ["a"] });
    cache.invalidate("g_1");
    releaseAll();
    await settle();
    releaseAll();
    assert.equal((await ask).version, 2);
    assert.equal(reads.length, 2);
  });

  it("should re-read after an invalidation and after clear", async () => {
    const table = new Map([["g_1", { version: 1, memberIds: ["a", "b"] }]]);
    const { source, reads, releaseAll } = heldSource(table);
    const cache = new MembershipCache(source, options);
    const first = cache.forSender("g_1", "a");
    await settle();
    releaseAll();
    await first;
    table.set("g_1", { version: 2, memberIds: ["a"] });
    cache.invalidate("g_1");
    const afterChange = cache.forSender("g_1", "b");
    await settle();
    releaseAll();
    await assert.rejects(afterChange, /not a member of this group/);
    cache.clear();
    assert.equal(cache.size, 0);
    const again = cache.forSender("g_1", "a");
    await settle();
    releaseAll();
    assert.equal((await again).version, 2);
    assert.equal(reads.length, 3);
  });

  it("should ask history before refusing a sender missing from a cached list", async () => {
    const table = new Map([["g_1", { version: 1, memberIds: ["a"] }]]);
    const { source, releaseAll } = heldSource(table);
    const cache = new MembershipCache(source, options);
    const first = cache.forSender("g_1", "a");
    await settle();
    releaseAll();
    await first;
    // "b" was added; the announcement has not arrived yet.
    table.set("g_1", { version: 2, memberIds: ["a", "b"] });
    const added = cache.forSender("g_1", "b");
    await settle();
    releaseAll();
    assert.equal((await added).version, 2);
  });

  it("should pass UNAVAILABLE through and keep nothing", async () => {
    let calls = 0;
    const cache = new MembershipCache(
      {
        list: async () => {
          calls++;
          throw ParleyError.unavailable("history down");
        },
      },
      options,
    );
    await assert.rejects(
      cache.forSender("g_1", "a"),
      (err: ParleyError) => err.code === "unavailable",
    );
    await assert.rejects(
      cache.forSender("g_1", "a"),
      (err: ParleyError) => err.code === "unavailable",
    );
    assert.equal(calls, 2);
  });

  it("should bound the cache by member ids held", async () => {
    const cache = new MembershipCache(
      { list: async (id) => ({ version: 1, memberIds: ["a", ...Array(9).fill(id)] }) },
      { ...options, maxMemberIds: 25 },
    );
    for (let i = 0; i < 5; i++) await cache.forSender(`g_${i}`, "a");
    assert.equal(cache.size, 2);
  });
});
