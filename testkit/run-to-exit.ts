import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { baseEnv, uniqueNamespace } from "./env.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * Runs a built service (`svc-<name>/dist/main.js`) in a namespace of its
 * own until it exits: for the configuration checks that stop it at start.
 * Resolves with the exit code and what it wrote to stderr.
 */
export function runToExit(
  name: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [`svc-${name}/dist/main.js`], {
    cwd: ROOT,
    env: { ...process.env, ...baseEnv(uniqueNamespace()), ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += String(chunk)));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, stderr })));
}
