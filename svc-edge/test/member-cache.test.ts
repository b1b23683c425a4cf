import assert from "node:assert/strict";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { createLogger, ParleyError } from "@parley/common";
import { TEST_NATS_URL, uniqueNamespace } from "../../testkit/env.js";
import { eventually } from "../../testkit/eventually.js";
import { MemberCache } from "../src/typing/member-cache.js";
import { testTopology } from "./support/topology.js";

describe("MemberCache (typing members, real NATS announcements)", () => {
  const topology = testTopology(uniqueNamespace());
  const lists: Record<string, string[]> = { g_team: ["amy", "bob"] };
  let reads: string[];
  let nc: NatsConnection;
  let cache: MemberCache;

  beforeEach(async () => {
    reads = [];
    nc = await connect({ servers: TEST_NATS_URL });
    cache = new MemberCache(
      {
        memberIds: async (conversationId, readerId) => {
          reads.push(`${conversationId} ${readerId}`);
          const ids = lists[conversationId] ?? [];
          if (!ids.includes(readerId)) throw ParleyError.denied("not a member");
          return [...ids];
        },
      },
      { maxMemberIds: 1_000, ttlMs: 60_000 },
    );
    await cache.start(nc, topology, createLogger("test", "silent"));
  });
  afterEach(async () => {
    cache.stop();
    await nc.close();
  });

  it("should read once, then drop the list when its membership change is announced", async () => {
    assert.deepEqual(await cache.membersFor("g_team", "amy"), ["amy", "bob"]);
    assert.deepEqual(await cache.membersFor("g_team", "bob"), ["amy", "bob"]);
    assert.deepEqual(reads, ["g_team amy"]);
    lists.g_team = ["amy", "bob", "carl"];
    nc.publish(topology.membershipChangedSubject("g_team"));
    await eventually(() => cache.size === 0, 5_000, "the list dropped");
    assert.deepEqual(await cache.membersFor("g_team", "amy"), ["amy", "bob", "carl"]);
    assert.equal(reads.length, 2);
  });

  it("should re-read once for a typer missing from a cached list, then refuse a non-member", async () => {
    lists.g_pair = ["amy", "bob"];
    await cache.membersFor("g_pair", "amy");
    lists.g_pair = ["amy", "bob", "dan"];
    assert.deepEqual(await cache.membersFor("g_pair", "dan"), ["amy", "bob", "dan"]);
    await assert.rejects(cache.membersFor("g_pair", "eve"), { code: "permission_denied" });
    await assert.rejects(cache.membersFor("g_none", "eve"), { code: "permission_denied" });
  });
});
