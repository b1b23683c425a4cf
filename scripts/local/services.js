import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { prettyFactory } from "pino-pretty";

const pretty = prettyFactory({ colorize: process.stdout.isTTY, ignore: "pid,hostname" });

/**
 * Starts one service as a child process, prints its JSON logs readably and
 * resolves with the fields of its `ready` message (sent over IPC, whatever
 * the log level). Rejects if it exits first.
 */
export function startLocalService(root, name, env) {
  // The launcher's own settings are not the services' business.
  const inherited = { ...process.env };
  delete inherited.PARLEY_HTTP_PORT;
  delete inherited.PARLEY_GRPC_PORT_BASE;
  const child = spawn(process.execPath, [`svc-${name}/dist/main.js`], {
    cwd: root,
    env: { ...inherited, ...env },
    stdio: ["ignore", "pipe", "inherit", "ipc"],
    // Its own process group: a terminal's Ctrl-C reaches the launcher only,
    // which stops the services in order. Should the launcher die instead,
    // the IPC channel closes and each service stops itself.
    detached: true,
  });
  createInterface({ input: child.stdout }).on("line", (line) => {
    try {
      process.stdout.write(pretty(JSON.parse(line)));
    } catch {
      process.stdout.write(`${line}\n`);
    }
  });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`svc-${name} exited with code ${code}`)));
    child.on("message", (message) => {
      if (message?.type === "ready") resolve({ child, ready: message });
    });
  });
}

/** SIGTERM one child and wait for it to exit. */
export function stopOne(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", resolve);
    child.kill("SIGTERM");
  });
}
