import { UsageError } from "../errors.js";
import { DEFAULT_DEVICE } from "../target.js";
import { DEFAULT_TOKEN_TTL_SECONDS, mintToken } from "../token.js";
import type { Command } from "./command.js";

export const tokenCommand: Command = {
  name: "token",
  synopsis: "USER [--device D] [--ttl SECONDS]",
  summary: "mint a token for USER (local development and tests)",
  details: `Prints an HS256 token for USER's device, signed with PARLEY_TOKEN_SECRET
or, when it is unset, the edge's insecure local development secret. Only a
deployment with that secret accepts it. Needs no server.

  --device D     the device id (default ${DEFAULT_DEVICE})
  --ttl SECONDS  lifetime (default ${DEFAULT_TOKEN_TTL_SECONDS}, a day)
  --json         {"token", "user_id", "device_id", "expires_at"} instead of the bare token`,
  options: { ttl: { type: "string" } },

  async run(args, { output, env }) {
    const [userId, ...extra] = args.positionals;
    if (!userId || extra.length > 0) throw new UsageError("token takes exactly one USER");
    const deviceId = args.string("device") ?? DEFAULT_DEVICE;
    const ttl = args.integer("ttl", 1) ?? DEFAULT_TOKEN_TTL_SECONDS;
    const token = await mintToken({ userId, deviceId }, ttl, env);
    const expiresAt = (Math.floor(Date.now() / 1000) + ttl) * 1000;
    output.result(
      { token, user_id: userId, device_id: deviceId, expires_at: expiresAt },
      (t) => t.token,
    );
  },
};
