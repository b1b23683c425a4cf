import assert from "node:assert/strict";
import {
  applyChanges,
  decodeRecord,
  EMPTY_RECORD,
  encodeRecord,
  graceOver,
  isOnline,
  settle,
  wentOffline,
  withEdgeDevices,
  type PresenceRecord,
} from "../../src/domain/presence-record.js";

const connect = (deviceId: string) => ({ deviceId, connected: true });
const disconnect = (deviceId: string) => ({ deviceId, connected: false });

/** Applies the changes on one edge and settles them at `now`. */
function step(record: PresenceRecord, changes: ReturnType<typeof connect>[], now = 1_000) {
  return settle(record, applyChanges(record, "e1", changes), now);
}

describe("svc-presence presence record", function () {
  it("should come online with a first device", () => {
    const { record, transition } = step(EMPTY_RECORD, [connect("d1")]);
    assert.equal(transition, "came_online");
    assert.deepEqual(record.edges, { e1: ["d1"] });
    assert.equal(isOnline(record), true);
  });

  it("should enter the grace period when the last device leaves, still online", () => {
    const online = step(EMPTY_RECORD, [connect("d1"), connect("d2")]).record;
    const one = step(online, [disconnect("d1")]);
    assert.equal(one.transition, "none");
    const none = step(one.record, [disconnect("d2")], 5_000);
    assert.equal(none.transition, "entered_grace");
    assert.equal(none.record.offline_since_ms, 5_000);
    assert.equal(isOnline(none.record), true);
    assert.equal(graceOver(none.record, 1_000, 5_999), false);
    assert.equal(graceOver(none.record, 1_000, 6_000), true);
    assert.deepEqual(wentOffline(none.record), { edges: {}, last_seen_ms: 5_000 });
  });

  it("should leave the grace period on a reconnect, keeping the first start", () => {
    const grace = step(step(EMPTY_RECORD, [connect("d1")]).record, [disconnect("d1")], 2_000);
    const back = step(grace.record, [connect("d1")], 2_500);
    assert.equal(back.transition, "left_grace");
    assert.equal(back.record.offline_since_ms, undefined);
    // A stray disconnect during the grace period moves nothing.
    const stray = step(grace.record, [disconnect("zz")], 2_700);
    assert.equal(stray.transition, "none");
    assert.equal(stray.record.offline_since_ms, 2_000);
  });

  it("should keep other edges' devices when one edge is replaced or dropped", () => {
    const two = withEdgeDevices(withEdgeDevices(EMPTY_RECORD, "e1", ["d1"]), "e2", ["d2"]);
    const dropped = settle(two, withEdgeDevices(two, "e1", []), 10);
    assert.equal(dropped.transition, "none");
    assert.deepEqual(dropped.record.edges, { e2: ["d2"] });
  });

  it("should read back what it wrote, and an unreadable record as none", () => {
    const record = { edges: { e1: ["d1"] }, last_seen_ms: 7, offline_since_ms: 9 };
    assert.deepEqual(decodeRecord(encodeRecord(record)), record);
    assert.deepEqual(decodeRecord("{"), EMPTY_RECORD);
    assert.deepEqual(decodeRecord("null"), EMPTY_RECORD);
  });
});
