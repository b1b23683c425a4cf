/**
 * A wait between half of `ms` and `ms`. Used where many sessions fail at
 * the same moment (a NATS outage), so that they do not retry in step.
 */
export function jittered(ms: number, random: () => number = Math.random): number {
  return Math.round(ms / 2 + (random() * ms) / 2);
}
