import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** A service started as its own process, as in production. */
export interface RunningService {
  name: string;
  process: ChildProcess;
  /** Fields of the service's `ready` message (e.g. grpc_port, http_port). */
  ready: Record<string, unknown>;
  /** Every JSON log line the service wrote so far. */
  logs: Record<string, unknown>[];
  /** SIGTERM and wait for the exit: the orderly path. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait: a crash, nothing flushed. */
  kill(): Promise<number | null>;
}

/**
 * Starts `svc-<name>/dist/main.js` with the given environment and resolves
 * once it announces `ready`. Fails fast if it exits first or takes too long.
 */
export function startService(
  name: "edge" | "delivery" | "history" | "presence" | "media",
  env: Record<string, string>,
  timeoutMs = 20_000,
): Promise<RunningService> {
  const child = spawn(process.execPath, [`svc-${name}/dist/main.js`], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  const logs: Record<string, unknown>[] = [];
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const stopWith = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  let stderr = "";
  child.stderr!.on("data", (chunk) => (stderr += String(chunk)));

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`svc-${name} not ready after ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`svc-${name} exited with ${code} before ready: ${stderr}`));
    });
    createInterface({ input: child.stdout! }).on("line", (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      logs.push(entry);
      if (process.env.TEST_SERVICE_LOGS) console.log(`[${name}] ${line}`);
    });
    // The ready message comes over IPC, whatever the service's log level.
    child.on("message", (message: { type?: string } & Record<string, unknown>) => {
      if (message.type !== "ready") return;
      clearTimeout(timer);
      resolve({
        name,
        process: child,
        ready: message,
        logs,
        stop: () => stopWith("SIGTERM"),
        kill: () => stopWith("SIGKILL"),
      });
    });
  });
}
