import assert from "node:assert/strict";
import { createLogger, ParleyError } from "@parley/common";
import type {
  ReportPresenceRequest,
  ReportPresenceResponse,
} from "@parley/proto/parley/presence/v1/presence";
import { PresenceReporter } from "../../src/presence/presence-reporter.js";
import { DeviceRegistry, type DeviceHolder } from "../../src/ws/device-registry.js";
import { eventually } from "../../../testkit/eventually.js";

/**
 * svc-presence's ReportPresence as a table: records every call (`failed`
 * marks the ones it failed), fails or asks for a snapshot on demand.
 */
class FakeReports {
  readonly calls: (ReportPresenceRequest & { failed?: true })[] = [];
  fail = false;
  /** Fails only goodbyes. */
  failGoodbyes = false;
  /** Fails the calls at these indexes of `calls`. */
  readonly failAt = new Set<number>();
  askSnapshot = false;

  async reportPresence(request: ReportPresenceRequest): Promise<ReportPresenceResponse> {
    const call = structuredClone(request);
    const index = this.calls.push(call) - 1;
    if (this.fail || this.failAt.has(index) || (this.failGoodbyes && request.goodbye)) {
      Object.assign(call, { failed: true });
      throw ParleyError.unavailable("down");
    }
    // As svc-presence does: a snapshot is never answered with snapshot_required.
    return { snapshotRequired: this.askSnapshot && !request.snapshot, leaseTtlMs: 30_000 };
  }

  /** The calls since `from`, as [edge id, kind, events]. */
  since(from: number): [string, string, string[]][] {
    return this.calls.slice(from).map((c) => [c.edgeId, kind(c), events(c)]);
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
const kind = (r: ReportPresenceRequest & { failed?: true }) =>
  (r.snapshot ? "snapshot" : r.goodbye ? "goodbye" : "events") + (r.failed ? " (failed)" : "");

describe("PresenceReporter", () => {
  let reports: FakeReports;
  let registry: DeviceRegistry<Holder>;
  let reporter: PresenceReporter;

  const make = (maxEventsPerCall = 10_000, intervalMs = 60_000) => {
    let ids = 0;
    reporter = new PresenceReporter(
      reports,
      () => registry.keys(),
      { intervalMs, maxEventsPerCall, newEdgeId: () => `edge-${++ids}` },
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
    assert.ok(
      reports.calls.every((c) => c.edgeId === "edge-1"),
      "the opening snapshot keeps the id",
    );
  });

  it("should stamp each event with when the edge saw it", async () => {
    await reporter.tick();
    const before = Date.now();
    const amy = new Holder();
    registry.claim("amy.d1", amy);
    registry.release("amy.d1", amy);
    await reporter.tick();
    const stamps = reports.calls.at(-1)!.events.map((e) => e.atMs);
    assert.equal(stamps.length, 2);
    for (const at of stamps) assert.ok(at >= before && at <= Date.now());
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

  it("should answer a failed report with a snapshot under a new id, then a goodbye of the old, never re-sending its events", async () => {
    await reporter.tick();
    const bo = new Holder();
    registry.claim("amy.d1", new Holder());
    registry.claim("bo.d1", bo);
    reports.fail = true;
    await reporter.tick();
    assert.equal(reporter.pending, 0, "the failed call's events are not kept");
    registry.release("bo.d1", bo);
    registry.claim("cy.d1", new Holder());
    assert.equal(reporter.pending, 0, "nor what happens before the snapshot");
    reports.fail = false;
    await reporter.tick();
    assert.deepEqual(reports.since(0), [
      ["edge-1", "snapshot", []],
      ["edge-1", "events (failed)", ["+amy.d1", "+bo.d1"]],
      ["edge-2", "snapshot", ["+amy.d1", "+cy.d1"]],
      ["edge-1", "goodbye", []],
    ]);
    assert.equal(reporter.edgeId, "edge-2");

    registry.claim("dan.d1", new Holder());
    await reporter.tick();
    assert.deepEqual(reports.since(4), [["edge-2", "events", ["+dan.d1"]]]);
  });

  it("should send a snapshot under a new id at once (same tick) when asked, then say goodbye to the old", async () => {
    await reporter.tick();
    const bo = new Holder();
    registry.claim("amy.d1", new Holder());
    registry.claim("bo.d1", bo);
    reports.askSnapshot = true;
    await reporter.tick();
    assert.deepEqual(reports.since(1), [
      ["edge-1", "events", ["+amy.d1", "+bo.d1"]],
      ["edge-2", "snapshot", ["+amy.d1", "+bo.d1"]],
      ["edge-1", "goodbye", []],
    ]);

    reports.askSnapshot = false;
    registry.release("bo.d1", bo);
    await reporter.tick();
    assert.deepEqual(reports.since(4), [["edge-2", "events", ["-bo.d1"]]]);
  });

  it("should send a failed snapshot again under yet another id, and say goodbye to every earlier one", async () => {
    registry.claim("amy.d1", new Holder());
    reports.fail = true;
    await reporter.tick(); // the opening snapshot, under the start id
    await reporter.tick();
    reports.fail = false;
    await reporter.tick();
    assert.deepEqual(reports.since(0), [
      ["edge-1", "snapshot (failed)", ["+amy.d1"]],
      ["edge-2", "snapshot (failed)", ["+amy.d1"]],
      ["edge-3", "snapshot", ["+amy.d1"]],
      ["edge-1", "goodbye", []],
      ["edge-2", "goodbye", []],
    ]);
  });

  it("should only log a failed goodbye, and go on under the new id", async () => {
    await reporter.tick();
    registry.claim("amy.d1", new Holder());
    reports.askSnapshot = true;
    reports.failGoodbyes = true;
    await reporter.tick();
    reports.askSnapshot = false;
    await reporter.tick();
    assert.deepEqual(reports.since(1), [
      ["edge-1", "events", ["+amy.d1"]],
      ["edge-2", "snapshot", ["+amy.d1"]],
      ["edge-1", "goodbye (failed)", []],
      ["edge-2", "events", []],
    ]);
  });

  it("should split above the cap, the snapshot flag on the first part only", async () => {
    make(2);
    for (const user of ["a", "b", "c", "d", "e"]) registry.claim(`${user}.d`, new Holder());
    await reporter.tick();
    assert.deepEqual(
      reports.calls.map((c) => [c.edgeId, c.snapshot, c.events.length]),
      [
        ["edge-1", true, 2],
        ["edge-1", false, 2],
        ["edge-1", false, 1],
      ],
    );
    for (const user of ["f", "g", "h"]) registry.claim(`${user}.d`, new Holder());
    await reporter.tick();
    assert.deepEqual(reports.calls.slice(3).map(events), [["+f.d", "+g.d"], ["+h.d"]]);
  });

  it("should send no part of a split report after a failed one, and start over under a new id", async () => {
    make(2);
    await reporter.tick();
    for (const user of ["a", "b", "c", "d", "e"]) registry.claim(`${user}.d`, new Holder());
    reports.failAt.add(2); // the report's second part
    await reporter.tick();
    await reporter.tick();
    assert.deepEqual(reports.since(1), [
      ["edge-1", "events", ["+a.d", "+b.d"]],
      ["edge-1", "events (failed)", ["+c.d", "+d.d"]],
      ["edge-2", "snapshot", ["+a.d", "+b.d"]],
      ["edge-2", "events", ["+c.d", "+d.d"]],
      ["edge-2", "events", ["+e.d"]],
      ["edge-1", "goodbye", []],
    ]);
  });

  it("should fall back to a snapshot under a new id when too many events pile up", async () => {
    make(1);
    await reporter.tick();
    for (let i = 0; i < 11; i++) registry.claim(`u${i}.d`, new Holder());
    assert.equal(reporter.pending, 0, "past ten calls' worth, the events were dropped");
    await reporter.tick();
    const after = reports.calls.slice(1);
    assert.deepEqual(
      after.map((c) => [c.edgeId, kind(c)]),
      [
        ...Array.from({ length: 11 }, (_, i) => ["edge-2", i === 0 ? "snapshot" : "events"]),
        ["edge-1", "goodbye"],
      ],
    );
    assert.equal(after.flatMap(events).length, 11);
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

  it("should say goodbye on stop to the current id and to earlier ones still waiting for it", async () => {
    reports.fail = true;
    await reporter.tick();
    await reporter.tick();
    reports.fail = false;
    await reporter.stop();
    assert.deepEqual(reports.since(0), [
      ["edge-1", "snapshot (failed)", []],
      ["edge-2", "snapshot (failed)", []],
      ["edge-2", "goodbye", []],
      ["edge-1", "goodbye", []],
    ]);
  });
});
