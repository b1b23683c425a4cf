import { setTimeout as sleep } from "node:timers/promises";

/**
 * Polls `check` until it holds; after `timeoutMs` fails with `what` (a
 * function is asked at that moment, so it can say how far things got).
 */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string | (() => string) = "condition",
  intervalMs = 25,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      const description = typeof what === "string" ? what : what();
      throw new Error(`${description} not met within ${timeoutMs} ms`);
    }
    await sleep(intervalMs);
  }
}
