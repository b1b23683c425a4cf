const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

/**
 * A random request id (`[A-Za-z0-9_-]`, 22 characters = 132 bits): unique
 * per device across reloads, as send ids must be (they are idempotency
 * keys for two hours). getRandomValues works outside secure contexts too.
 */
export function randomId(prefix = ""): string {
  const bytes = crypto.getRandomValues(new Uint8Array(22));
  let id = prefix;
  for (const b of bytes) id += ALPHABET[b & 63];
  return id;
}

const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** User and device ids: 1 to 64 characters of A-Z a-z 0-9 _ -. */
export function isValidId(value: string): boolean {
  return ID_PATTERN.test(value);
}
