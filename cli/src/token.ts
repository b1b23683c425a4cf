import { UsageError } from "./errors.js";

/** How long minted tokens live unless asked otherwise: a day, as `npm run token`. */
export const DEFAULT_TOKEN_TTL_SECONDS = 24 * 60 * 60;

/** What an identity is for: the device of a user. */
export interface Identity {
  userId: string;
  deviceId: string;
}

/**
 * Mints a token the way scripts/token.js does: signed with
 * PARLEY_TOKEN_SECRET, or with the edge's local development secret when it
 * is unset. Only a deployment that trusts that secret accepts the token.
 */
export async function mintToken(
  identity: Identity,
  ttlSeconds: number,
  env: NodeJS.ProcessEnv,
): Promise<string> {
  // Loaded here, not at the top: @parley/common brings the services'
  // dependencies (gRPC, NATS, Postgres), which would slow every command.
  const { INSECURE_DEV_TOKEN_SECRET, signToken } = await import("@parley/common");
  const secret = env.PARLEY_TOKEN_SECRET ?? INSECURE_DEV_TOKEN_SECRET;
  try {
    return await signToken(identity, secret, ttlSeconds);
  } catch (err) {
    // signToken refuses malformed ids; that is the caller's argument.
    throw new UsageError(`cannot mint a token: ${(err as Error).message}`, { cause: err });
  }
}
