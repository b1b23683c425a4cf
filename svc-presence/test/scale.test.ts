import assert from "node:assert/strict";
import { event, eventually, PresenceDeployment } from "./helpers/deployment.js";

describe("svc-presence at 10,000 users", function () {
  this.timeout(120_000);
  let d: PresenceDeployment;
  before(async () => {
    // Leases outlive the test: this is about one call, not about expiry.
    d = await PresenceDeployment.start({ PRESENCE_LEASE_TTL_MS: "60000" });
  });
  after(async () => d?.dispose());

  it("should take 10,000 users online from one ReportPresence call", async () => {
    const published = await d.follow();
    const users = Array.from({ length: 10_000 }, (_, i) => `user-${i}`);
    const answer = await d.report(
      "edge-big",
      users.map((u) => event(u, "phone", true)),
      { snapshot: true },
    );
    assert.equal(answer.snapshotRequired, false);

    for (let i = 0; i < users.length; i += 500) {
      const batch = await d.get(users.slice(i, i + 500));
      const offline = batch.filter((p) => !p.online).map((p) => p.userId);
      assert.deepEqual(offline, [], `users ${i}..${i + 499} online`);
    }
    await eventually(
      () => published.all.length === users.length,
      10_000,
      "10,000 online published",
    );
    published.stop();
  });
});
