import assert from "node:assert/strict";
import { createLogger, ParleyError } from "@parley/common";
import type {
  ReportPresenceRequest,
  ReportPresenceResponse,
} from "@parley/proto/parley/presence/v1/presence";
import { PresenceReporter } from "../../src/presence/presence-reporter.js";
import { DeviceRegistry, type DeviceHolder } from "../../src/ws/device-registry.js";
import { eventually } from "../../../testkit/eventually.js";

/** svc-presence's ReportPresence as a table: records calls, fails or asks for a snapshot on demand. */
class FakeReports {
  readonly calls: ReportPresenceRequest[] = [];
  fail = false;
  askSnapshot = false;

  async reportPresence(request: ReportPresenceRequest): Promise<ReportPresenceResponse> {
    if (this.fail) throw ParleyError.unavailable("down");
    this.calls.push(structuredClone(request));
    // As svc-presence does: a snapshot is never answered with snapshot_required.
    return { snapshotRequired: this.askSnapshot && !request.snapshot, leaseTtlMs: 15_000 };
  }
}

class Holder implements DeviceHolder {
  replaced = false;
  replace(): void {
    this.replaced = true;
  }
  unlinked(): void {}
}

const log = createLogger("test", "silent");
const flags = (r: ReportPresenceRequest) => ({ snapshot: r.snapshot, goodbye: r.goodbye });
const events = (r: ReportPresenceRequest) =>
  r.events.map((e) => `${e.connected ? "+" : "-"}${e.userId}.${e.deviceId}`);

describe("PresenceReporter", () => {
  let reports: FakeReports;
  let registry: DeviceRegistry<Holder>;
  let reporter: PresenceReporter;

  const make = (maxEventsPerCall = 10_000, intervalMs = 60_000) => {
    reporter = new PresenceReporter(
      reports,
      () => registry.keys(),
      { intervalMs, maxEventsPerCall, edgeId: "edge-1" },
      log,
    );
    registry = new DeviceRegistry<Holder>(reporter);
  };

  beforeEach(() => {
    reports = new FakeReports();
    make();
  });

  it("should start with a snapshot, then send ordered events, and an empty report as a heartbeat", async () => {
    registry.claim("amy.d1", new Holder());
    await reporter.tick();
    const bo = new Holder();
    registry.claim("bo.d1", bo);
    registry.release("bo.d1", bo);
    registry.claim("cy.d2", new Holder());
    await reporter.tick();
    await reporter.tick();
    assert.deepEqual(reports.calls.map(flags), [
      { snapshot: true, goodbye: false },
      { snapshot: false, goodbye: false },
      { snapshot: false, goodbye: false },
    ]);
    assert.deepEqual(reports.calls.map(events), [["+amy.d1"], ["+bo.d1", "-bo.d1", "+cy.d2"], []]);
    assert.ok(reports.calls.every((c) => c.edgeId === "edge-1"));
  });

  it("should report 10,000 connects of one interval in exactly one call", async () => {
    make(10_000, 20);
    await reporter.tick(); // the opening snapshot, empty
    reporter.start();
    for (let i = 0; i < 10_000; i++) registry.claim(`u${i}.d`, new Holder());
    await eventually(() => reports.calls.length >= 2, 5_000, "the first interval's report");
    await reporter.stop();
    assert.equal(reports.calls[1]!.events.length, 10_000);
    assert.ok(reports.calls.slice(2).every((c) => c.events.length === 0));
  });

  it("should count a replacement by a newer connection of the device as no change", async () => {
    await reporter.tick();
    const [old, newer] = [new Holder(), new Holder()];
    registry.claim("amy.d1", old);
    await reporter.tick();
    registry.claim("amy.d1", newer);
    registry.release("amy.d1", old); // the old socket's close comes after
    await reporter.tick();
    assert.ok(old.replaced);
    assert.deepEqual(reports.calls.map(events), [[], ["+amy.d1"], []]);
  });

  it("should report an unlinked device's session as a disconnect", async () => {
    await reporter.tick();
    const holder = new Holder();
    registry.claim("amy.d1", holder);
    registry.evict("amy.d1");
    registry.release("amy.d1", holder);
    await reporter.tick();
    assert.deepEqual(events(reports.calls[1]!), ["+amy.d1", "-amy.d1"]);
  });

  it("should keep a failed report's events and send them, in order, with the next", async () => {
    await reporter.tick();
    registry.claim("amy.d1", new Holder());
    reports.fail = true;
    await reporter.tick();
    assert.equal(reporter.pending, 1);
    registry.claim("bo.d1", new Holder());
    reports.fail = false;
    await reporter.tick();
    assert.deepEqual(reports.calls.map(events), [[], ["+amy.d1", "+bo.d1"]]);
    assert.equal(reporter.pending, 0);
  });

  it("should send a snapshot of the connected devices at once when asked", async () => {
    await reporter.tick();
    const bo = new Holder();
    registry.claim("amy.d1", new Holder());
    registry.claim("bo.d1", bo);
    reports.askSnapshot = true;
    const before = reports.calls.length;
    await reporter.tick();
    // The refused report, then at once (same tick) the snapshot.
    assert.equal(reports.calls.length, before + 2);
    const snapshot = reports.calls.at(-1)!;
    assert.equal(snapshot.snapshot, true);
    assert.deepEqual(events(snapshot).sort(), ["+amy.d1", "+bo.d1"]);

    reports.askSnapshot = false;
    registry.release("bo.d1", bo);
    await reporter.tick();
    assert.deepEqual(flags(reports.calls.at(-1)!), { snapshot: false, goodbye: false });
    assert.deepEqual(events(reports.calls.at(-1)!), ["-bo.d1"]);
  });

  it("should send the snapshot again when it failed", async () => {
    registry.claim("amy.d1", new Holder());
    reports.fail = true;
    await reporter.tick();
    reports.fail = false;
    await reporter.tick();
    assert.deepEqual(reports.calls.map(flags), [{ snapshot: true, goodbye: false }]);
    assert.deepEqual(events(reports.calls[0]!), ["+amy.d1"]);
  });

  it("should split above the cap, the snapshot flag on the first part only", async () => {
    make(2);
    for (const user of ["a", "b", "c", "d", "e"]) registry.claim(`${user}.d`, new Holder());
    await reporter.tick();
    assert.deepEqual(
      reports.calls.map((c) => [c.snapshot, c.events.length]),
      [
        [true, 2],
        [false, 2],
        [false, 1],
      ],
    );
    for (const user of ["f", "g", "h"]) registry.claim(`${user}.d`, new Holder());
    await reporter.tick();
    assert.deepEqual(reports.calls.slice(3).map(events), [["+f.d", "+g.d"], ["+h.d"]]);
  });

  it("should fall back to a snapshot when too many events pile up", async () => {
    make(1);
    await reporter.tick();
    reports.fail = true;
    for (let i = 0; i < 11; i++) registry.claim(`u${i}.d`, new Holder());
    assert.equal(reporter.pending, 0, "past ten calls' worth, the events were dropped");
    reports.fail = false;
    await reporter.tick();
    assert.equal(reports.calls[1]!.snapshot, true);
    assert.equal(reports.calls.slice(1).flatMap(events).length, 11);
  });

  it("should say goodbye on stop and report nothing after", async () => {
    reporter.start();
    registry.claim("amy.d1", new Holder());
    await reporter.stop();
    registry.claim("bo.d1", new Holder());
    await reporter.tick();
    const last = reports.calls.at(-1)!;
    assert.deepEqual(flags(last), { snapshot: false, goodbye: true });
    assert.deepEqual(last.events, []);
    assert.equal(reports.calls.filter((c) => c.goodbye).length, 1);
  });
});
