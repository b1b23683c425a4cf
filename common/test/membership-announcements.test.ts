import { connect, type NatsConnection } from "@nats-io/transport-node";
import { createLogger, MembershipAnnouncements, MembershipCache, Topology } from "@parley/common";
import assert from "node:assert/strict";
import { TEST_NATS_URL, uniqueNamespace } from "../../testkit/env.js";
import { eventually } from "../../testkit/eventually.js";

describe("membership change announcements", () => {
  let nc: NatsConnection;
  let announcer: NatsConnection;
  let topology: Topology;
  let cache: MembershipCache;
  let changes: MembershipAnnouncements;

  beforeEach(async () => {
    topology = new Topology({
      namespace: uniqueNamespace(),
      partitions: 1,
      replicas: 1,
      sendDedupWindowMs: 60_000,
      inboxMaxAgeMs: 60_000,
    });
    nc = await connect({ servers: TEST_NATS_URL, maxReconnectAttempts: -1, reconnectTimeWait: 50 });
    announcer = await connect({ servers: TEST_NATS_URL });
    cache = new MembershipCache(
      { list: async () => ({ version: 1, memberIds: ["alice", "bob"] }) },
      { maxMemberIds: 1_000, ttlMs: 60_000, notAMember: "not a member of this group" },
    );
    changes = new MembershipAnnouncements(nc, topology, cache, createLogger("test", "silent"));
    await changes.start();
    await cache.forSender("g_one", "alice");
    await cache.forSender("g_two", "alice");
  });

  afterEach(async () => {
    changes?.stop();
    await nc?.close();
    await announcer?.close();
  });

  it("should drop only the group whose change was announced", async () => {
    announcer.publish(topology.membershipChangedSubject("g_one"));
    await announcer.flush();
    await eventually(() => cache.size === 1, 5_000, "g_one dropped");
    // The one left is g_two: reading it again would not change the size.
    await cache.forSender("g_two", "bob");
    assert.equal(cache.size, 1);
  });

  it("should ignore announcements of another deployment", async () => {
    const other = new Topology({ ...topology.options, namespace: uniqueNamespace() });
    announcer.publish(other.membershipChangedSubject("g_one"));
    // An announcement of ours after it, to know the first one was processed.
    announcer.publish(topology.membershipChangedSubject("g_two"));
    await announcer.flush();
    await eventually(() => cache.size === 1, 5_000, "g_two dropped");
    await cache.forSender("g_one", "bob");
    assert.equal(cache.size, 1, "g_one was still cached");
  });

  it("should drop every group after a reconnect, when announcements may have been missed", async () => {
    await nc.reconnect();
    await eventually(() => cache.size === 0, 5_000, "cache cleared");
  });
});
