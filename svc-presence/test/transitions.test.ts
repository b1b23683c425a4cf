import assert from "node:assert/strict";
import { event, eventually, PresenceDeployment } from "./helpers/deployment.js";

describe("svc-presence transitions", function () {
  let d: PresenceDeployment;
  before(async () => {
    // A grace period long enough to look at a user inside it.
    d = await PresenceDeployment.start({ PRESENCE_OFFLINE_GRACE_MS: "3000" });
  });
  after(async () => d?.dispose());

  it("should publish online on connect and answer it in GetPresence", async () => {
    const published = await d.follow();
    await d.report("edge-t1", [event("ann", "phone", true)], { snapshot: true });
    await eventually(() => published.flags("ann").length === 1, 5_000, "online published");
    assert.deepEqual(published.of("ann"), [{ userId: "ann", online: true, lastSeenMs: 0 }]);
    assert.deepEqual(await d.get(["ann", "nobody"]), [
      { userId: "ann", online: true, lastSeenMs: 0 },
      { userId: "nobody", online: false, lastSeenMs: 0 },
    ]);
    published.stop();
  });

  it("should keep a user online through the grace period, then set last seen", async () => {
    const published = await d.follow();
    await d.report("edge-t2", [event("ben", "phone", true)], { snapshot: true });
    const left = Date.now();
    await d.report("edge-t2", [event("ben", "phone", false)]);
    assert.equal(await d.onlineOf("ben"), true, "online right after the disconnect");

    await eventually(() => published.flags("ben").length === 2, 10_000, "offline published");
    const [online, offline] = published.of("ben");
    assert.equal(online!.online, true);
    assert.equal(offline!.online, false);
    assert.ok(offline!.lastSeenMs >= left - 1_000 && offline!.lastSeenMs <= Date.now());
    // The grace period is a lower bound on when offline shows.
    assert.ok(Date.now() - offline!.lastSeenMs >= 3_000);
    assert.deepEqual(await d.get(["ben"]), [offline]);
    assert.equal(await d.lastSeenRow("ben"), offline!.lastSeenMs);
    published.stop();
  });

  it("should take last seen from when the edge saw the disconnect, within reason", async () => {
    const published = await d.follow();
    const users = ["eli", "fay", "gus"];
    await d.report(
      "edge-t9",
      users.map((u) => event(u, "phone", true)),
      { snapshot: true },
    );
    const reportedAt = Date.now();
    const seenAt = reportedAt - 4_000;
    await d.report("edge-t9", [
      event("eli", "phone", false, seenAt),
      event("fay", "phone", false, reportedAt + 3_600_000), // a clock ahead: now
      event("gus", "phone", false, 1), // 1970: no older than a minute
    ]);
    await eventually(
      () => users.every((u) => published.flags(u).includes(false)),
      10_000,
      "all offline",
    );
    const lastSeen = (u: string) => published.of(u).find((p) => !p.online)!.lastSeenMs;
    assert.equal(lastSeen("eli"), seenAt);
    assert.ok(lastSeen("fay") >= reportedAt && lastSeen("fay") <= Date.now());
    assert.ok(lastSeen("gus") >= reportedAt - 61_000 && lastSeen("gus") <= reportedAt - 59_000);
    published.stop();
  });

  it("should version each state by its record revision, growing with each change", async () => {
    const published = await d.follow();
    assert.deepEqual(
      (await d.getWithVersions(["ivy"])).map((p) => p.version),
      [0],
      "never seen: version 0",
    );
    await d.report("edge-t11", [event("ivy", "phone", true)], { snapshot: true });
    await d.report("edge-t11", [event("ivy", "phone", false)]);
    await eventually(() => published.flags("ivy").length === 2, 10_000, "online, then offline");
    const [online, offline] = published.versionsOf("ivy") as [number, number];
    assert.ok(online > 0 && offline > online, `${online} < ${offline}`);
    const [read] = await d.getWithVersions(["ivy"]);
    assert.ok(read!.version >= offline);
    published.stop();
  });

  it("should refuse a negative event time", async () => {
    await assert.rejects(
      d.report("edge-t10", [event("hal", "phone", false, -5)]),
      /at_ms must be 0 or ms since the epoch/,
    );
  });

  it("should publish nothing for a reconnect within the grace period", async () => {
    const published = await d.follow();
    await d.report("edge-t3", [event("cat", "phone", true), event("dan", "phone", true)], {
      snapshot: true,
    });
    // The edge stays alive: a silent one would take cat offline with its lease.
    const heartbeats = setInterval(() => void d.report("edge-t3", []), 300);
    try {
      // cat drops and comes back; dan, dropped at the same time, is the
      // witness that a grace period and a sweep have passed.
      await d.report("edge-t3", [event("cat", "phone", false), event("dan", "phone", false)]);
      await d.report("edge-t3", [event("cat", "phone", true)]);
      await eventually(() => published.flags("dan").length === 2, 10_000, "dan offline");
      assert.deepEqual(published.flags("cat"), [true]);
      assert.equal(await d.onlineOf("cat"), true);
      assert.equal(await d.lastSeenRow("cat"), null);
    } finally {
      clearInterval(heartbeats);
      published.stop();
    }
  });

  it("should keep a user with devices on two edges online until both are gone", async () => {
    const published = await d.follow();
    await d.report("edge-t4a", [event("eve", "phone", true)], { snapshot: true });
    await d.report("edge-t4b", [event("eve", "laptop", true)], { snapshot: true });
    await d.report("edge-t4a", [event("eve", "phone", false)]);
    assert.equal(await d.onlineOf("eve"), true);
    await d.report("edge-t4b", [event("eve", "laptop", false)]);
    await eventually(() => published.flags("eve").length === 2, 10_000, "eve offline");
    assert.deepEqual(published.flags("eve"), [true, false]);
    published.stop();
  });

  it("should apply a report's events in order per user", async () => {
    const published = await d.follow();
    await d.report("edge-t5", [], { snapshot: true });
    await d.report("edge-t5", [
      event("fay", "phone", true),
      event("fay", "phone", false),
      event("fay", "tablet", true),
    ]);
    assert.equal(await d.onlineOf("fay"), true);
    await d.report("edge-t5", [event("fay", "tablet", false), event("fay", "phone", false)]);
    await eventually(() => published.flags("fay").length === 2, 10_000, "fay offline");
    assert.deepEqual(published.flags("fay"), [true, false]);
    published.stop();
  });
});
