import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { baseEnv, uniqueNamespace } from "../../testkit/env.js";

const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));

/** Runs the built service to its exit; returns the exit code and stderr. */
function runToExit(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, ...baseEnv(uniqueNamespace()), ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += String(chunk)));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, stderr })));
}

describe("svc-history configuration", function () {
  const bad: [string, string][] = [
    ["HISTORY_BATCH_MAX", "abc"],
    ["HISTORY_BATCH_MAX", "0"],
    ["DATABASE_SCHEMA", "Robert'); DROP TABLE x;--"],
    ["DATABASE_POOL_SIZE", "-3"],
  ];
  for (const [key, value] of bad) {
    it(`should refuse to start with exit code 2 when ${key} is ${JSON.stringify(value)}`, async function () {
      const { code, stderr } = await runToExit({ [key]: value });
      assert.equal(code, 2);
      assert.match(stderr, new RegExp(key));
    });
  }

  it("should refuse a default page size above the cap", async function () {
    const { code, stderr } = await runToExit({ HISTORY_PAGE_DEFAULT: "300" });
    assert.equal(code, 2);
    assert.match(stderr, /HISTORY_PAGE_DEFAULT/);
  });
});
