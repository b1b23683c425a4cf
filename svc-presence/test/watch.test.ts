import assert from "node:assert/strict";
import { status } from "@grpc/grpc-js";
import { event, eventually, PresenceDeployment, type Watch } from "./helpers/deployment.js";

/** The `open_subscriptions` of the service's latest "watch ended" line. */
function openSubscriptions(d: PresenceDeployment): number | undefined {
  const ended = d.service.logs.filter((l) => l.msg === "watch ended");
  return ended.at(-1)?.open_subscriptions as number | undefined;
}

function cancelled(watch: Watch): Promise<void> {
  return eventually(() => watch.error !== undefined, 5_000, "stream cancelled");
}

describe("svc-presence WatchPresence", function () {
  let d: PresenceDeployment;
  before(async () => {
    d = await PresenceDeployment.start();
  });
  after(async () => d?.dispose());

  it("should send each user's state, then every change", async () => {
    await d.report("edge-w1", [event("kim", "phone", true)], { snapshot: true });
    const watch = d.watch(["kim", "lou"]);
    await eventually(() => watch.received.length === 2, 5_000, "initial states");
    assert.deepEqual(
      watch.received.map((r) => r.presence),
      [
        { userId: "kim", online: true, lastSeenMs: 0 },
        { userId: "lou", online: false, lastSeenMs: 0 },
      ],
    );

    await d.report("edge-w1", [event("lou", "phone", true), event("kim", "phone", false)]);
    await eventually(
      () => watch.states("kim").length === 2,
      8_000,
      () => JSON.stringify(watch.received) + JSON.stringify(d.service.logs.slice(-5)),
    );
    assert.deepEqual(watch.states("lou"), [false, true]);
    assert.deepEqual(watch.states("kim"), [true, false]);
    const last = watch.received.at(-1)!.presence!;
    assert.equal(last.userId, "kim");
    assert.ok(last.lastSeenMs > 0);

    watch.stream.cancel();
    await cancelled(watch);
    await d.report("edge-w1", [], { goodbye: true });
  });

  it("should release the subscriptions of a cancelled watch", async () => {
    const one = d.watch(["mo", "ned", "ola"]);
    const two = d.watch(["mo", "pia"]);
    await eventually(() => one.received.length === 3 && two.received.length === 2, 5_000);

    one.stream.cancel();
    await cancelled(one);
    await eventually(() => openSubscriptions(d) === 2, 5_000, "one watch's subscriptions released");
    two.stream.cancel();
    await cancelled(two);
    await eventually(() => openSubscriptions(d) === 0, 5_000, "all subscriptions released");

    // Changes after the cancel reach nobody, and nothing fails.
    const before = two.received.length;
    await d.report("edge-w2", [event("pia", "phone", true)], { snapshot: true });
    assert.equal(await d.onlineOf("pia"), true);
    assert.equal(two.received.length, before);
    await d.report("edge-w2", [], { goodbye: true });
  });

  it("should skip an unreadable change and go on with the next", async () => {
    const watch = d.watch(["quy"]);
    await eventually(() => watch.received.length === 1, 5_000, "initial state");
    d.nc.publish(d.topology.presenceSubject("quy"), new Uint8Array([0xff, 0xff, 0xff]));
    await d.report("edge-w3", [event("quy", "phone", true)], { snapshot: true });
    await eventually(() => watch.states("quy").length === 2, 5_000, "the change after it");
    assert.deepEqual(watch.states("quy"), [false, true]);
    assert.equal(watch.error, undefined);
    assert.ok(d.service.logs.some((l) => l.msg === "unreadable presence change skipped"));
    watch.stream.cancel();
    await cancelled(watch);
    await d.report("edge-w3", [], { goodbye: true });
  });

  it("should refuse malformed ids and too many users", async () => {
    const tooMany = d.watch(Array.from({ length: 501 }, (_, i) => `u${i}`));
    const malformed = d.watch(["ok", "not.ok"]);
    await eventually(() => tooMany.error !== undefined && malformed.error !== undefined, 5_000);
    for (const watch of [tooMany, malformed]) {
      assert.equal((watch.error as { code?: number }).code, status.INVALID_ARGUMENT);
    }
    assert.match(malformed.error!.message, /user_ids\[1\]/);
  });
});

describe("svc-presence WatchPresence at shutdown", function () {
  it("should end open watches with UNAVAILABLE, not OK", async () => {
    const d = await PresenceDeployment.start();
    try {
      const watch = d.watch(["quin"]);
      await eventually(() => watch.received.length === 1, 5_000, "initial state");
      await d.service.stop();
      await eventually(() => watch.error !== undefined, 5_000, "the stream failed");
      assert.equal((watch.error as Error & { code: number }).code, status.UNAVAILABLE);
    } finally {
      await d.dispose();
    }
  });
});
