import { makeValidator } from "envalid";

/**
 * An integer setting within [min, max]. envalid's `num` would also take
 * 1.5, -1 or 1e3 for counts and durations, which none of ours mean.
 */
export function intIn(min: number, max = Number.MAX_SAFE_INTEGER) {
  return makeValidator<number>((input) => {
    const value = Number(input);
    if (!/^-?\d+$/.test(String(input).trim()) || value < min || value > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
      throw new Error(`expected an integer ${range}, got "${input}"`);
    }
    return value;
  });
}

/** A "host:port" address to listen on or dial; port 0 picks a free port. */
export const hostPort = makeValidator<string>((input) => {
  const match = /^(.+):(\d{1,5})$/.exec(input);
  if (!match || Number(match[2]) > 65_535) {
    throw new Error(`expected host:port, got "${input}"`);
  }
  return input;
});
