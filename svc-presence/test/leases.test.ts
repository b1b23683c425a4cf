import assert from "node:assert/strict";
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
