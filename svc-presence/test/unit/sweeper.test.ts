import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "@parley/common";
import type { PresenceRecord } from "../../src/domain/presence-record.js";
import type { Leases } from "../../src/kv/leases.js";
import type { PresenceStore } from "../../src/kv/presence-store.js";
import type { LastSeenStore } from "../../src/pg/last-seen-store.js";
import type { EdgeDevices } from "../../src/presence/edge-devices.js";
import type { PresencePublisher } from "../../src/presence/publisher.js";
import { Sweeper } from "../../src/presence/sweeper.js";
import { eventually } from "../../../testkit/eventually.js";

const silent = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
} as unknown as Logger;

describe("svc-presence sweeper loops", function () {
  it("should take users offline while a dead edge's cleanup is still running", async () => {
    let releaseEdges!: () => void;
    const edgesBlocked = new Promise<string[]>((resolve) => (releaseEdges = () => resolve([])));
    const inGrace: PresenceRecord = { edges: {}, offline_since_ms: 1, last_seen_ms: 0 };
    const store = {
      knownEdges: () => edgesBlocked, // a cleanup that takes its time
      pendingUsers: async () => ["una"],
      pending: async () => ({ sinceMs: 1, revision: 7 }),
      read: async () => ({ record: inGrace, revision: 3 }),
      write: async () => true,
      clearPending: async () => undefined,
    } as unknown as PresenceStore;
    const offline: string[] = [];
    const publisher = {
      offline: (userId: string) => offline.push(userId),
    } as unknown as PresencePublisher;
    const lastSeen = { save: async () => undefined } as unknown as LastSeenStore;
    const sweeper = new Sweeper(
      store,
      {} as Leases,
      {} as EdgeDevices,
      lastSeen,
      publisher,
      { intervalMs: 50, graceMs: 10, leaseTtlMs: 1_000, concurrency: 4 },
      silent,
    );
    sweeper.start();
    try {
      await eventually(() => offline.includes("una"), 5_000, "una offline");
    } finally {
      releaseEdges();
      await sweeper.stop();
    }
  });
});

describe("svc-presence sweeper and dead edges", function () {
  /** A sweeper over fakes: known edges without a lease, heard from at the times given. */
  function sweeperOver(lastHeard: Record<string, number>) {
    /** Per edge, the `leftMs` of each removal, in order. */
    const removals = new Map<string, (number | undefined)[]>();
    const store = {
      knownEdges: async () => Object.keys(lastHeard),
      known: async (edgeId: string) => ({ revision: 1, lastHeardMs: lastHeard[edgeId] }),
      forgetKnown: async () => undefined,
      pendingUsers: async () => [],
    } as unknown as PresenceStore;
    const devices = {
      remove: async (edgeId: string, options: { leftMs?: number }) => {
        removals.set(edgeId, [...(removals.get(edgeId) ?? []), options.leftMs]);
        return 1;
      },
    } as unknown as EdgeDevices;
    const leases = { isLive: async () => false } as unknown as Leases;
    const sweeper = new Sweeper(
      store,
      leases,
      devices,
      { save: async () => undefined } as unknown as LastSeenStore,
      {} as PresencePublisher,
      { intervalMs: 20, graceMs: 500, leaseTtlMs: 1_000, concurrency: 4 },
      silent,
    );
    return { sweeper, removals };
  }

  it("should start the grace period at the last report of an edge whose lease it saw run out", async () => {
    const heardMs = Date.now() - 200;
    const { sweeper, removals } = sweeperOver({ "edge-a": heardMs });
    sweeper.start();
    try {
      // The first pass has not watched anything run out yet: now.
      await eventually(() => (removals.get("edge-a") ?? []).length >= 2, 5_000, "two passes");
      const [first, second] = removals.get("edge-a")!;
      assert.equal(first, undefined);
      assert.equal(second, heardMs);
    } finally {
      await sweeper.stop();
    }
  });

  it("should start it now for a lease that ran out before the sweeper was watching", async () => {
    // The lease ended long before this sweeper ran (svc-presence or NATS
    // was down): the edge may be alive and about to report again.
    const { sweeper, removals } = sweeperOver({ "edge-b": Date.now() - 10_000, "edge-c": 0 });
    sweeper.start();
    try {
      await sleep(200);
      assert.ok(removals.get("edge-b")!.length >= 2, "several passes");
      assert.ok(removals.get("edge-b")!.every((ms) => ms === undefined));
      assert.ok(
        removals.get("edge-c")!.every((ms) => ms === undefined),
        "no time known: now",
      );
    } finally {
      await sweeper.stop();
    }
  });
});
