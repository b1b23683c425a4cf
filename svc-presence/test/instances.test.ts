import assert from "node:assert/strict";
import { Kvm } from "@nats-io/kv";
import { event, eventually, PresenceDeployment } from "./helpers/deployment.js";

describe("svc-presence with two instances", function () {
  this.timeout(120_000);
  let d: PresenceDeployment;
  before(async () => {
    d = await PresenceDeployment.start({}, 2);
  });
  after(async () => d?.dispose());

  it("should lose no change when both write the same users at once", async () => {
    const published = await d.follow();
    const [one, two] = d.clients as [(typeof d.clients)[0], (typeof d.clients)[0]];
    const users = Array.from({ length: 300 }, (_, i) => `u${i}`);
    const connect = (device: string) => users.map((u) => event(u, device, true));
    await Promise.all([
      d.report("edge-a", [], { snapshot: true }, one),
      d.report("edge-b", [], { snapshot: true }, two),
    ]);

    // Both edges connect a device of every user, each through its own
    // instance, twice over (a second device), all at the same time.
    await Promise.all([
      d.report("edge-a", connect("a1"), {}, one),
      d.report("edge-b", connect("b1"), {}, two),
      d.report("edge-a", connect("a2"), {}, one),
      d.report("edge-b", connect("b2"), {}, two),
    ]);
    const kv = await new Kvm(d.nc).open(d.topology.presenceBucket);
    for (const user of users) {
      const record = (await kv.get(`u.${user}`))!.json<{ edges: Record<string, string[]> }>();
      assert.deepEqual(
        Object.fromEntries(Object.entries(record.edges).map(([e, ds]) => [e, [...ds].sort()])),
        { "edge-a": ["a1", "a2"], "edge-b": ["b1", "b2"] },
        `${user}'s record`,
      );
    }

    // Both edges drop everything at once: each user goes offline once,
    // though both instances sweep.
    const disconnect = (device: string) => users.map((u) => event(u, device, false));
    await Promise.all([
      d.report("edge-a", [...disconnect("a1"), ...disconnect("a2")], {}, one),
      d.report("edge-b", [...disconnect("b2"), ...disconnect("b1")], {}, two),
    ]);
    await eventually(
      () => users.every((u) => published.flags(u).length >= 2),
      15_000,
      "every user offline",
    );
    // A witness that goes offline later: both sweepers have run since.
    await d.report("edge-a", [event("witness", "w", true)], {}, one);
    await d.report("edge-a", [event("witness", "w", false)], {}, two);
    await eventually(() => published.flags("witness").length === 2, 15_000, "witness offline");
    for (const user of users) assert.deepEqual(published.flags(user), [true, false], user);
    published.stop();
  });
});
