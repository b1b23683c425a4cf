import assert from "node:assert/strict";
import { runToExit } from "../../testkit/run-to-exit.js";

describe("svc-history configuration", function () {
  const bad: [string, string][] = [
    ["HISTORY_BATCH_MAX", "abc"],
    ["HISTORY_BATCH_MAX", "0"],
    ["DATABASE_SCHEMA", "Robert'); DROP TABLE x;--"],
    ["DATABASE_POOL_SIZE", "-3"],
  ];
  for (const [key, value] of bad) {
    it(`should refuse to start with exit code 2 when ${key} is ${JSON.stringify(value)}`, async function () {
      const { code, stderr } = await runToExit("history", { [key]: value });
      assert.equal(code, 2);
      assert.match(stderr, new RegExp(key));
    });
  }

  it("should refuse a default page size above the cap", async function () {
    const { code, stderr } = await runToExit("history", { HISTORY_PAGE_DEFAULT: "300" });
    assert.equal(code, 2);
    assert.match(stderr, /HISTORY_PAGE_DEFAULT/);
  });
});
