import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../../bin/parley.js", import.meta.url));

/** What one run of the built CLI did. */
export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Environment on top of a copy of this process's, without PARLEY_*. */
  env?: Record<string, string>;
  /** Written to the CLI's stdin, which is then closed. */
  stdin?: string;
  /** Called once the process is started, e.g. to signal it. */
  started?: (child: ChildProcess) => void;
}

/**
 * Runs `node cli/bin/parley.js ...args` as a script would, to its exit.
 * PARLEY_* variables of the test's own environment are left out, so that
 * only what a test passes reaches the CLI.
 */
export function parley(args: string[], options: RunOptions = {}): Promise<Run> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith("PARLEY_")),
  );
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...env, ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  child.stdin.end(options.stdin ?? "");
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  options.started?.(child);
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The JSON lines of a run's stdout, parsed. */
export function jsonLines(run: Run): Record<string, unknown>[] {
  return run.stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
