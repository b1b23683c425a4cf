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
      { intervalMs: 50, graceMs: 10, concurrency: 4 },
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
