// The coordinator's side of the load clients: N worker processes, each
// holding at most what its open-file limit allows, and, for more
// connections to one edge than one source address has ephemeral ports
// (~28,000), each on its own 127.0.0.x source address.
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Command, Transport } from "./commands.js";

const WORKER = fileURLToPath(new URL("./worker.ts", import.meta.url));

/** Connections one worker may hold: under the 20,000 open files of a process here. */
export const MAX_CONNECTIONS_PER_WORKER = 18_000;

class Worker {
  private seq = 0;
  private readonly waiting = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void }
  >();

  constructor(readonly child: ChildProcess) {
    child.on("message", (message: { seq: number; result?: unknown; error?: string }) => {
      const waiter = this.waiting.get(message.seq);
      this.waiting.delete(message.seq);
      if (message.error !== undefined) waiter?.reject(new Error(message.error));
      else waiter?.resolve(message.result);
    });
    child.once("exit", (code, signal) => {
      for (const waiter of this.waiting.values()) {
        waiter.reject(new Error(`client worker exited (${signal ?? code})`));
      }
      this.waiting.clear();
    });
  }

  call<T>(command: Command): Promise<T> {
    const seq = this.seq++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(seq, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ seq, command });
    });
  }
}

export class ClientPool {
  private constructor(private readonly workers: Worker[]) {}

  /**
   * Forks `count` workers. With `bindSourceAddresses`, worker i of a
   * WebSocket transport binds 127.0.0.(10 + i) as its source address. Only
   * when needed: with a bind before each connect, 15,000 connects left the
   * workers at 72 % system time and measured 735 connects/s; unbound, the
   * same run measured 1,085/s.
   */
  static async start(
    count: number,
    transport: Transport,
    bindSourceAddresses = false,
  ): Promise<ClientPool> {
    const workers = Array.from(
      { length: count },
      () =>
        new Worker(
          fork(WORKER, [], {
            execArgv: ["--import", "tsx"],
            stdio: ["ignore", "inherit", "inherit", "ipc"],
          }),
        ),
    );
    const pool = new ClientPool(workers);
    await Promise.all(
      workers.map((w, i) =>
        w.call({
          cmd: "setup",
          transport:
            transport.kind === "ws" && bindSourceAddresses
              ? { ...transport, localAddress: `127.0.0.${10 + i}` }
              : transport,
        }),
      ),
    );
    return pool;
  }

  get size(): number {
    return this.workers.length;
  }

  pids(): number[] {
    return this.workers.map((w) => w.child.pid!);
  }

  /** Runs one command on worker `i`. */
  call<T>(i: number, command: Command): Promise<T> {
    return this.workers[i]!.call<T>(command);
  }

  /** Runs a command on every worker at once (made per worker by `make`). */
  all<T>(make: (i: number) => Command): Promise<T[]> {
    return Promise.all(this.workers.map((w, i) => w.call<T>(make(i))));
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.child.exitCode !== null) return resolve();
            w.child.once("exit", () => resolve());
            w.child.disconnect();
          }),
      ),
    );
  }
}

/** Splits `items` into `parts` contiguous runs of near-equal length. */
export function split<T>(items: T[], parts: number): T[][] {
  const size = Math.ceil(items.length / parts);
  return Array.from({ length: parts }, (_, i) => items.slice(i * size, (i + 1) * size));
}
