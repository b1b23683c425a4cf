// A Parley of the demo's own: `node scripts/start.js` (what `npm start`
// runs) on free ports and in a fresh namespace, beside any system already
// running, sharing its NATS, Postgres and storage server.
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { dropNatsNamespace, dropSchema } from "../../testkit/cleanup.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const START_TIMEOUT_MS = 60_000;

export interface LocalSystem {
  url: string;
  namespace: string;
  /** Where the launcher's and the services' output went. */
  logFile: string;
  /** Stops the services in order; drops the namespace unless `keep`. */
  stop(keep: boolean): Promise<void>;
}

export async function startLocalSystem(say: (line: string) => void): Promise<LocalSystem> {
  const namespace = `demo_${Date.now().toString(36)}`;
  const httpPort = await freePort();
  const grpcBase = await freePortRange(5);
  const logFile = join(tmpdir(), `parley-${namespace}.log`);
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, ["scripts/start.js"], {
    cwd: ROOT,
    env: {
      ...process.env,
      PARLEY_HTTP_PORT: String(httpPort),
      PARLEY_GRPC_PORT_BASE: String(grpcBase),
      PARLEY_NAMESPACE: namespace,
      LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
      // The replay compresses a day of chat into seconds: a talkative
      // user sends far more per second than the edge's per-connection
      // default (20/s) lets a person.
      EDGE_SENDS_PER_SECOND: process.env.EDGE_SENDS_PER_SECOND ?? "100000",
      EDGE_SEND_BURST: process.env.EDGE_SEND_BURST ?? "100000",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stderr!.pipe(log);
  say(`starting Parley in namespace ${namespace} (log: ${logFile})`);
  await waitUntilUp(child, log, logFile);
  const url = `ws://127.0.0.1:${httpPort}/ws`;
  return {
    url,
    namespace,
    logFile,
    async stop(keep) {
      await stopChild(child);
      log.end();
      if (keep) return;
      try {
        await dropNatsNamespace(namespace, process.env.NATS_URL ?? "nats://127.0.0.1:4222");
        await dropSchema(
          namespace,
          process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/parley",
        );
      } catch (err) {
        say(`could not drop namespace ${namespace}: ${(err as Error).message}`);
      }
    },
  };
}

/** Resolves on the launcher's "Parley is up" line; rejects if it exits first. */
function waitUntilUp(child: ChildProcess, log: NodeJS.WritableStream, logFile: string) {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGTERM");
      reject(new Error(`Parley did not start within ${START_TIMEOUT_MS} ms; see ${logFile}`));
    }, START_TIMEOUT_MS);
    createInterface({ input: child.stdout! }).on("line", (line) => {
      log.write(`${line}\n`);
      if (line.includes("Parley is up")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`scripts/start.js exited (${signal ?? `code ${code}`}); see ${logFile}`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The first of `count` consecutive ports that were all free a moment ago. */
async function freePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const free = await Promise.all(Array.from({ length: count }, (_, i) => isFree(base + i)));
    if (free.every(Boolean)) return base;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}
