/**
 * Delay before reconnection attempt `attempt` (0-based): doubling from
 * 500 ms up to 30 s, with jitter so that many clients do not come back in
 * step after an edge restart.
 */
export function backoffMs(attempt: number): number {
  const ceiling = Math.min(30_000, 500 * 2 ** attempt);
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}
