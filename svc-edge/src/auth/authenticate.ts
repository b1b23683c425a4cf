import { verifyToken, type Identity } from "@parley/common";

/** Who a connection speaks for, and until when its token is valid. */
export interface Authenticated extends Identity {
  /** The token's `exp`, in ms since the epoch. */
  expiresAtMs: number;
}

/** Verifies a client token (see verifyToken) and reads its expiry. */
export async function authenticate(token: string, secret: string): Promise<Authenticated> {
  const identity = await verifyToken(token, secret);
  return { ...identity, expiresAtMs: expiryMs(token) };
}

/**
 * The `exp` of a token verifyToken accepted: its signature is checked and
 * `exp` is required, so the payload can be read as is.
 */
function expiryMs(token: string): number {
  const payload = Buffer.from(token.split(".")[1] ?? "", "base64url").toString();
  const { exp } = JSON.parse(payload) as { exp?: unknown };
  return typeof exp === "number" ? exp * 1000 : Number.POSITIVE_INFINITY;
}
