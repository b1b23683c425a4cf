import { UsageError } from "./errors.js";
import { DEFAULT_TOKEN_TTL_SECONDS, mintToken } from "./token.js";

export const DEFAULT_URL = "ws://127.0.0.1:8080/ws";
/** The device of minted tokens when --device is not given. */
export const DEFAULT_DEVICE = "cli";

/** Where to connect and as whom. */
export interface Target {
  url: string;
  token: string;
}

/** The global flags that choose the target. */
export interface TargetFlags {
  url?: string;
  token?: string;
  user?: string;
  device?: string;
}

/**
 * Picks the server and the token. Flags win over the environment; --user
 * (local mode) mints a token, so it cannot be combined with --token.
 */
export async function resolveTarget(flags: TargetFlags, env: NodeJS.ProcessEnv): Promise<Target> {
  const url = flags.url ?? env.PARLEY_URL ?? DEFAULT_URL;
  if (flags.token !== undefined && flags.user !== undefined) {
    throw new UsageError("give either --token or --user, not both");
  }
  if (flags.device !== undefined && flags.user === undefined) {
    throw new UsageError("--device goes with --user (a token already names its device)");
  }
  if (flags.token !== undefined) return { url, token: flags.token };
  if (flags.user !== undefined) {
    const identity = { userId: flags.user, deviceId: flags.device ?? DEFAULT_DEVICE };
    return { url, token: await mintToken(identity, DEFAULT_TOKEN_TTL_SECONDS, env) };
  }
  if (env.PARLEY_TOKEN) return { url, token: env.PARLEY_TOKEN };
  throw new UsageError("no identity: give --token TOKEN, set PARLEY_TOKEN, or use --user USER");
}
