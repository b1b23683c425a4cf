/** A member's receipt watermarks. */
export interface Watermarks {
  delivered: number;
  read: number;
}

/**
 * The watermarks after an update: each only grows (0, or any lower value,
 * leaves it as it is), and read is clamped to delivered after the update's
 * own delivered value is applied, so "read 9, delivered 9" in one update
 * works while "read 9" alone on delivered 5 reads up to 5.
 */
export function nextWatermarks(current: Watermarks, requested: Watermarks): Watermarks {
  const delivered = Math.max(current.delivered, requested.delivered);
  const read = Math.max(current.read, Math.min(requested.read, delivered));
  return { delivered, read };
}

export function sameWatermarks(a: Watermarks, b: Watermarks): boolean {
  return a.delivered === b.delivered && a.read === b.read;
}
