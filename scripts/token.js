// Mints a token for a test user: npm run token -- USER [DEVICE] [--ttl SECONDS]
// Signed with PARLEY_TOKEN_SECRET, or the edge's local development secret.
import { INSECURE_DEV_TOKEN_SECRET, signToken } from "@parley/common";
import { parseArgs } from "node:util";

const USAGE = "usage: npm run -s token -- USER [DEVICE] [--ttl SECONDS]\n";

let args;
try {
  args = parseArgs({
    allowPositionals: true,
    options: {
      ttl: { type: "string", default: String(24 * 60 * 60) },
      help: { type: "boolean", short: "h" },
    },
  });
} catch (err) {
  process.stderr.write(`token: ${err.message}\n${USAGE}`);
  process.exit(2);
}
if (args.values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const [userId, deviceId = "cli"] = args.positionals;
const ttl = Number(args.values.ttl);
if (!userId || !Number.isInteger(ttl) || ttl <= 0) {
  process.stderr.write(USAGE);
  process.exit(2);
}
const secret = process.env.PARLEY_TOKEN_SECRET ?? INSECURE_DEV_TOKEN_SECRET;
try {
  process.stdout.write(`${await signToken({ userId, deviceId }, secret, ttl)}\n`);
} catch (err) {
  process.stderr.write(`token: ${err.message}\n`);
  process.exit(1);
}
