import assert from "node:assert/strict";
import { jetstreamManager } from "@nats-io/jetstream";
import { Kvm, type KV } from "@nats-io/kv";
import { pendingBucketName } from "../src/kv/buckets.js";
import { PresenceStore } from "../src/kv/presence-store.js";
import { event, eventually, PresenceDeployment } from "./helpers/deployment.js";

describe("svc-presence pending marks and index keys", function () {
  let d: PresenceDeployment;
  let presence: KV;
  let pending: KV;
  before(async () => {
    d = await PresenceDeployment.start();
    const kvm = new Kvm(d.nc);
    presence = await kvm.open(d.topology.presenceBucket);
    pending = await kvm.open(pendingBucketName(d.topology));
  });
  after(async () => d?.dispose());

  /** The presence bucket's keys matching `filter` (delete markers included). */
  async function subjects(bucket: string, filter: string): Promise<string[]> {
    const jsm = await jetstreamManager(d.nc);
    const info = await jsm.streams.info(`KV_${bucket}`, {
      subjects_filter: `$KV.${bucket}.${filter}`,
    });
    return Object.keys(info.state.subjects ?? {});
  }

  it("should keep pending marks in their own bucket, whose TTL ages them out", async () => {
    const jsm = await jetstreamManager(d.nc);
    const info = await jsm.streams.info(`KV_${pendingBucketName(d.topology)}`);
    // max(1 h, 20 × the 1 s grace of the tests).
    assert.equal(info.config.max_age, 3_600_000 * 1_000_000);

    const published = await d.follow();
    await d.report("edge-p1", [event("pam", "phone", true)], { snapshot: true });
    await d.report("edge-p1", [event("pam", "phone", false)]);
    assert.equal((await pending.get("pam"))?.operation, "PUT", "marked in grace");
    await eventually(() => published.flags("pam").length === 2, 8_000, "pam offline");
    await eventually(async () => (await pending.get("pam"))?.operation !== "PUT", 5_000);
    assert.deepEqual(await subjects(d.topology.presenceBucket, "p.>"), []);
    published.stop();
    await d.report("edge-p1", [], { goodbye: true });
  });

  it("should write the mark again for a grace period that outlived the mark's TTL", async () => {
    const published = await d.follow();
    // A record in grace for two hours, its mark expired: the sweepers were
    // stopped longer than the pending bucket's TTL.
    const since = Date.now() - 2 * 3_600_000;
    await presence.put(
      "u.quin",
      JSON.stringify({ edges: {}, offline_since_ms: since, last_seen_ms: 0 }),
    );
    assert.equal(await pending.get("quin"), null);

    assert.equal(await d.onlineOf("quin"), true, "online until the next sweep");
    await eventually(() => published.flags("quin").length === 1, 5_000, "quin offline");
    assert.deepEqual(published.of("quin"), [{ userId: "quin", online: false, lastSeenMs: since }]);
    published.stop();
  });

  it("should find a device on a dead edge though its user left that edge before", async () => {
    await d.report("edge-p2", [event("rob", "phone", true)], { snapshot: true });
    await d.report("edge-p2", [event("rob", "phone", false)]);
    // Another instance applied a reconnect on the same edge at once: it
    // wrote the index key, then the record. Simulated by writing the
    // record directly; whatever this instance did after rob lost the edge
    // must not have erased the index key.
    for (;;) {
      const entry = (await presence.get("u.rob"))!;
      const record = { edges: { "edge-p2": ["phone"] }, last_seen_ms: 0 };
      const written = await presence
        .put("u.rob", JSON.stringify(record), { previousSeq: entry.revision })
        .then(() => true)
        .catch(() => false); // the sweeper wrote first: again
      if (written) break;
    }
    assert.equal((await presence.get("e.edge-p2.rob"))?.operation, "PUT");
    assert.equal(await d.onlineOf("rob"), true);
    // edge-p2 stops reporting: its lease runs out and the cleanup finds rob.
    await eventually(async () => !(await d.onlineOf("rob")), 10_000, "rob offline");
  });

  it("should remove a known key or index keys only at the revision it read", async () => {
    const jsm = await jetstreamManager(d.nc);
    const store = new PresenceStore(presence, pending, jsm, {
      presence: d.topology.presenceBucket,
      pending: pendingBucketName(d.topology),
    });
    const old = await store.markKnown("edge-k", 1);
    await store.markKnown("edge-k", 2); // the edge came back
    await store.forgetKnown("edge-k", old);
    assert.equal(await store.isKnown("edge-k"), true, "a returning edge stays known");
    await store.forgetKnown("edge-k", (await store.known("edge-k"))!.revision);
    assert.equal(await store.isKnown("edge-k"), false);
    assert.equal((await store.knownEdges()).includes("edge-k"), false, "no marker left");

    await store.addToEdgeIndex("edge-k", "sam");
    const listed = await store.usersOnEdge("edge-k");
    await store.addToEdgeIndex("edge-k", "tia"); // written after the listing
    await store.forgetIndex("edge-k", listed.lastSeq);
    assert.deepEqual((await store.usersOnEdge("edge-k")).tokens, ["tia"]);
    await store.forgetIndex("edge-k");
  });
});
