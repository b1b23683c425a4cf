import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { event, eventually, PresenceDeployment } from "./helpers/deployment.js";

describe("svc-presence edge leases", function () {
  let d: PresenceDeployment;
  before(async () => {
    d = await PresenceDeployment.start();
  });
  after(async () => d?.dispose());

  it("should ask a new edge for a snapshot, and not after it sent one", async () => {
    const first = await d.report("edge-l0", [event("amy", "phone", true)]);
    assert.deepEqual(first, { snapshotRequired: true, leaseTtlMs: 2_000 });
    // What the report carried is applied all the same.
    assert.equal(await d.onlineOf("amy"), true);
    await d.report("edge-l0", [event("amy", "phone", true)], { snapshot: true });
    assert.equal((await d.report("edge-l0", [])).snapshotRequired, false);
    await d.report("edge-l0", [], { goodbye: true });
  });

  it("should take the users of an edge that stopped reporting offline", async () => {
    const published = await d.follow();
    await d.report("edge-l1", [event("bob", "phone", true), event("cy", "phone", true)], {
      snapshot: true,
    });
    await d.report("edge-l1b", [event("cy", "laptop", true)], { snapshot: true });
    const heartbeats = setInterval(() => void d.report("edge-l1b", []), 300);
    try {
      // No goodbye, no more reports: lease TTL 2 s, grace 1 s, sweep 0.1 s.
      await eventually(() => published.flags("bob").length === 2, 8_000, "bob offline");
      assert.deepEqual(published.flags("bob"), [true, false]);
      assert.equal(await d.onlineOf("bob"), false);
      assert.ok((await d.lastSeenRow("bob")) !== null);
      // cy still has a device on an edge that keeps reporting.
      assert.equal(await d.onlineOf("cy"), true);
      assert.deepEqual(published.flags("cy"), [true]);
    } finally {
      clearInterval(heartbeats);
      published.stop();
    }
  });

  it("should take a silent edge's users offline a lease after its last report, seen then", async () => {
    const published = await d.follow();
    const before = Date.now();
    await d.report("edge-l5", [event("jo", "phone", true)], { snapshot: true });
    const heard = Date.now();
    // No more reports. The grace (1 s) counts from the last report, so it
    // is over once the lease (2 s) is: offline about then, not 1 s later.
    await eventually(() => published.flags("jo").length === 2, 8_000, "jo offline", 20);
    const tookMs = Date.now() - heard;
    assert.ok(tookMs >= 1_900, `offline only once the lease ran out, after ${tookMs} ms`);
    assert.ok(tookMs < 2_000 + 100 + 600, `offline ${tookMs} ms after the last report`);
    const offline = published.of("jo")[1]!;
    assert.ok(
      offline.lastSeenMs >= before && offline.lastSeenMs <= heard,
      "last seen is the edge's last report",
    );
    assert.equal(await d.lastSeenRow("jo"), offline.lastSeenMs);
    published.stop();
  });

  it("should keep a user online whose device moved to another edge before the lease ran out", async () => {
    const published = await d.follow();
    await d.report("edge-l6", [event("kim", "phone", true)], { snapshot: true });
    await d.report("edge-l6b", [], { snapshot: true });
    const heartbeats = setInterval(() => void d.report("edge-l6b", []), 300);
    try {
      // edge-l6 goes silent; the phone reconnects to edge-l6b a moment later.
      await sleep(500);
      await d.report("edge-l6b", [event("kim", "phone", true)]);
      const leases = await d.leases();
      await eventually(async () => (await leases.get("edge-l6"))?.operation !== "PUT", 8_000);
      await sleep(1_000 + 500); // the grace and then some
      assert.equal(await d.onlineOf("kim"), true);
      assert.deepEqual(published.flags("kim"), [true]);
    } finally {
      clearInterval(heartbeats);
      published.stop();
      await d.report("edge-l6b", [], { goodbye: true });
    }
  });

  it("should require a snapshot once the lease ran out, and the snapshot restores", async () => {
    const published = await d.follow();
    await d.report("edge-l2", [event("dee", "phone", true)], { snapshot: true });
    const leases = await d.leases();
    await eventually(async () => (await leases.get("edge-l2"))?.operation !== "PUT", 8_000);
    await eventually(() => published.flags("dee").length === 2, 8_000, "dee offline");

    // The edge comes back (it was only slow): its devices were dropped.
    const answer = await d.report("edge-l2", []);
    assert.equal(answer.snapshotRequired, true);
    assert.equal(await d.onlineOf("dee"), false);
    const snapshot = await d.report("edge-l2", [event("dee", "phone", true)], { snapshot: true });
    assert.equal(snapshot.snapshotRequired, false);
    assert.equal(await d.onlineOf("dee"), true);
    await eventually(() => published.flags("dee").length === 3, 5_000, "dee online again");
    assert.deepEqual(published.flags("dee"), [true, false, true]);
    published.stop();
  });

  it("should replace the edge's devices with a snapshot", async () => {
    await d.report("edge-l3", [event("eli", "phone", true), event("fox", "phone", true)], {
      snapshot: true,
    });
    await d.report("edge-l3", [event("fox", "phone", true), event("gil", "tablet", true)], {
      snapshot: true,
    });
    await eventually(async () => !(await d.onlineOf("eli")), 8_000, "eli offline");
    assert.deepEqual(
      (await d.get(["fox", "gil"])).map((p) => p.online),
      [true, true],
    );
    await d.report("edge-l3", [], { goodbye: true });
  });

  it("should take an edge's users offline after its goodbye, grace included", async () => {
    const published = await d.follow();
    await d.report("edge-l4", [event("hal", "phone", true), event("ida", "phone", true)], {
      snapshot: true,
    });
    await d.report("edge-l4b", [event("ida", "laptop", true)], { snapshot: true });
    const answer = await d.report("edge-l4", [], { goodbye: true });
    assert.equal(answer.snapshotRequired, false);
    assert.equal(await d.onlineOf("hal"), true, "online during the grace period");
    await eventually(() => published.flags("hal").length === 2, 8_000, "hal offline");
    assert.equal(await d.onlineOf("ida"), true);
    const leases = await d.leases();
    assert.notEqual((await leases.get("edge-l4"))?.operation, "PUT");
    // A report after the goodbye is from an edge svc-presence forgot.
    assert.equal((await d.report("edge-l4", [])).snapshotRequired, true);
    await d.report("edge-l4", [], { goodbye: true });
    await d.report("edge-l4b", [], { goodbye: true });
    published.stop();
  });
});

describe("svc-presence edge leases across an outage of svc-presence", function () {
  let d: PresenceDeployment;
  before(async () => {
    d = await PresenceDeployment.start();
  });
  after(async () => d?.dispose());

  it("should not flap the users of an edge whose lease ran out while svc-presence was down", async () => {
    await d.report("edge-o1", [event("ola", "phone", true)], { snapshot: true });
    await d.service.stop();
    await sleep(2_000 + 500); // the lease runs out meanwhile
    await d.startInstance();
    const client = d.clients[1]!;
    const published = await d.follow();
    // The edge was alive all along: it reports within an interval and,
    // asked for a snapshot, sends one. The grace period started when the
    // sweeper found the lease gone, not at the edge's last report.
    await sleep(200);
    const answer = await d.report("edge-o1", [], {}, client);
    assert.equal(answer.snapshotRequired, true);
    await d.report("edge-o1", [event("ola", "phone", true)], { snapshot: true }, client);
    await sleep(1_000 + 500);
    assert.equal((await d.get(["ola"], client))[0]!.online, true);
    assert.deepEqual(published.flags("ola"), [], "never shown offline");
    published.stop();
    await d.report("edge-o1", [], { goodbye: true }, client);
  });
});
