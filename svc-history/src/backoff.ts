import { setTimeout as delay } from "node:timers/promises";

/**
 * The delay before retry number `attempt` (0 first): doubling from
 * `initialMs` up to `maxMs`, with up to 20% jitter so that instances which
 * failed together do not retry in lockstep.
 */
export function backoffMs(attempt: number, initialMs: number, maxMs: number): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(base * (0.8 + Math.random() * 0.2));
}

/** Sleeps, or returns early once `signal` aborts. Never throws. */
export async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  await delay(ms, undefined, { signal }).catch(() => undefined);
}
