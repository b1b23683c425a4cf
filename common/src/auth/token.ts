import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { isValidId, requireId } from "../ids.js";
import { ErrorCode, ParleyError } from "../errors.js";

/** Who a connection speaks for: a user and one of their devices. */
export interface Identity {
  userId: string;
  deviceId: string;
}

/**
 * The secret the edge and the token command use when PARLEY_TOKEN_SECRET is
 * unset: local development only; the edge warns at start when it is in use.
 */
export const INSECURE_DEV_TOKEN_SECRET = "insecure-dev-secret-change-me";

const ALGORITHM = "HS256";
const encoder = new TextEncoder();

/**
 * Signs an HS256 token: `sub` is the user id, `dev` the device id, and `exp`
 * is always set. Used by the token command and tests; production tokens come
 * from whatever issues identities, signed with the same secret.
 */
export async function signToken(
  identity: Identity,
  secret: string,
  ttlSeconds: number,
): Promise<string> {
  const userId = requireId("user id", identity.userId);
  const deviceId = requireId("device id", identity.deviceId);
  return new SignJWT({ dev: deviceId })
    .setProtectedHeader({ alg: ALGORITHM })
    .setSubject(userId)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(encoder.encode(secret));
}

/**
 * Verifies signature, algorithm and expiry (a token without `exp` is
 * refused) and that both ids have the shape of Parley ids.
 */
export async function verifyToken(token: string, secret: string): Promise<Identity> {
  try {
    const { payload } = await jwtVerify(token, encoder.encode(secret), {
      algorithms: [ALGORITHM],
      requiredClaims: ["exp", "sub"],
    });
    const { sub, dev } = payload;
    if (!isValidId(sub) || !isValidId(dev)) {
      throw new ParleyError(ErrorCode.Unauthenticated, "token has a malformed sub or dev claim");
    }
    return { userId: sub, deviceId: dev };
  } catch (err) {
    if (err instanceof ParleyError) throw err;
    const reason = err instanceof joseErrors.JWTExpired ? "token expired" : "token invalid";
    throw new ParleyError(ErrorCode.Unauthenticated, reason, { cause: err });
  }
}
