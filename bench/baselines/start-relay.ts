// Starts the bare ws relay (ws-relay.ts) as a process of its own.
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface Relay {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export function startRelay(): Promise<Relay> {
  const child: ChildProcess = fork(fileURLToPath(new URL("./ws-relay.ts", import.meta.url)), [], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`ws relay exited with ${code}`)));
    child.once("message", (message: { url: string }) =>
      resolve({
        url: message.url,
        pid: child.pid!,
        stop: () =>
          new Promise((done) => {
            child.once("exit", () => done());
            child.kill("SIGTERM");
          }),
      }),
    );
  });
}
