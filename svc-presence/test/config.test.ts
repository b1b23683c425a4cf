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

describe("svc-presence configuration", function () {
  const bad: [string, string][] = [
    ["PRESENCE_LEASE_TTL_MS", "abc"],
    ["PRESENCE_LEASE_TTL_MS", "500"],
    ["PRESENCE_MAX_USERS_PER_CALL", "0"],
    ["DATABASE_SCHEMA", "Robert'); DROP TABLE x;--"],
  ];
  for (const [key, value] of bad) {
    it(`should refuse to start with exit code 2 when ${key} is ${JSON.stringify(value)}`, async function () {
      const { code, stderr } = await runToExit({ [key]: value });
      assert.equal(code, 2);
      assert.match(stderr, new RegExp(key));
    });
  }

  it("should refuse a sweep interval longer than the lease", async function () {
    const { code, stderr } = await runToExit({
      PRESENCE_LEASE_TTL_MS: "2000",
      PRESENCE_SWEEP_INTERVAL_MS: "3000",
    });
    assert.equal(code, 2);
    assert.match(stderr, /PRESENCE_SWEEP_INTERVAL_MS/);
  });
});
