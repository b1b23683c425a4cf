import { createConnection } from "node:net";

/** True when something accepts TCP connections at host:port within timeoutMs. */
export function answers(host, port, timeoutMs = 500) {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/** Polls `answers` until it is true or the deadline passes. */
export async function waitUntilAnswers(host, port, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await answers(host, port)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}
