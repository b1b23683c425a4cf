import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { connect } from "@nats-io/transport-node";
import { freePort } from "./ports.js";

/** A nats-server of a test's own, so the test may kill and restart it. */
export interface PrivateNats {
  url: string;
  /** SIGKILL: whatever the server had not written is gone, as in a crash. */
  kill(): Promise<void>;
  /** Starts it again on the same port and store. */
  restart(): Promise<void>;
  /** Stops it and removes its store. */
  dispose(): Promise<void>;
}

function natsBinary(): string {
  const found = spawnSync("sh", ["-c", "command -v nats-server || ls /usr/sbin/nats-server"], {
    encoding: "utf8",
  });
  const path = found.stdout.trim().split("\n")[0];
  if (!path) throw new Error("nats-server is not installed (Debian: apt-get install nats-server)");
  return path;
}

async function waitForServer(url: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      const nc = await connect({ servers: url, timeout: 500 });
      await nc.close();
      return;
    } catch {
      await sleep(100);
    }
  }
  throw new Error(`nats-server at ${url} did not come up`);
}

/** Starts nats-server with JetStream on a free port and a fresh store. */
export async function startPrivateNats(): Promise<PrivateNats> {
  const binary = natsBinary();
  const port = await freePort();
  const storeDir = mkdtempSync(join(tmpdir(), "parley-nats-"));
  const url = `nats://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  const launch = async () => {
    child = spawn(binary, ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", storeDir], {
      stdio: "ignore",
    });
    await waitForServer(url);
  };
  const stop = async (signal: NodeJS.Signals) => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    running.kill(signal);
    await exited;
  };

  await launch();
  return {
    url,
    kill: () => stop("SIGKILL"),
    restart: launch,
    dispose: async () => {
      await stop("SIGTERM");
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}
