import assert from "node:assert/strict";
import { runToExit } from "../../testkit/run-to-exit.js";

describe("svc-presence configuration", function () {
  const bad: [string, string][] = [
    ["PRESENCE_LEASE_TTL_MS", "abc"],
    ["PRESENCE_LEASE_TTL_MS", "500"],
    ["PRESENCE_MAX_USERS_PER_CALL", "0"],
    ["DATABASE_SCHEMA", "Robert'); DROP TABLE x;--"],
  ];
  for (const [key, value] of bad) {
    it(`should refuse to start with exit code 2 when ${key} is ${JSON.stringify(value)}`, async function () {
      const { code, stderr } = await runToExit("presence", { [key]: value });
      assert.equal(code, 2);
      assert.match(stderr, new RegExp(key));
    });
  }

  it("should refuse a sweep interval longer than the lease", async function () {
    const { code, stderr } = await runToExit("presence", {
      PRESENCE_LEASE_TTL_MS: "2000",
      PRESENCE_SWEEP_INTERVAL_MS: "3000",
    });
    assert.equal(code, 2);
    assert.match(stderr, /PRESENCE_SWEEP_INTERVAL_MS/);
  });
});
