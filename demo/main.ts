// npm run demo: replays the IRC quotes of Debian's fortunes package, mixed
// with emoji, through real WebSocket clients (one per user) in 1:1 and
// group conversations, ~10% of messages with an image, then checks that
// every message arrived once, in order, intact, and is in history.
//
//   npm run demo                         # starts a Parley of its own
//   npm run demo -- --url ws://127.0.0.1:8080/ws --users 50 --messages 500
//
// Exit code: 0 when the check passed, 1 when it found a problem, 2 on a
// usage error. See demo/README.md.
import { INSECURE_DEV_TOKEN_SECRET } from "@parley/common";
import { parseArgs } from "node:util";
import { runDemo } from "./src/demo.js";
import { format } from "./src/summary.js";
import { startLocalSystem, type LocalSystem } from "./src/system.js";

const USAGE = `usage: npm run demo -- [options]
  --url URL            use a running edge (ws://HOST:PORT/ws) instead of starting one;
                       tokens are signed with PARLEY_TOKEN_SECRET or the dev secret
  --users N            users, one connection each (default 100)
  --messages N         messages to replay (default 1000)
  --seed N             seed of the plan: users, conversations, emoji, images (default 1)
  --group-share F      share of messages sent to groups (default 0.5)
  --media-share F      share of messages with an image (default 0.1)
  --rate N             offered sends per second in all (default 0: as fast as acked)
  --corpus DIR         where the fortunes cookie files are (default /usr/share/games/fortunes)
  --keep               keep the started system's namespace (NATS streams, schema)
  --json               print the summary as JSON
`;

function options() {
  const { values } = parseArgs({
    options: {
      url: { type: "string" },
      users: { type: "string", default: "100" },
      messages: { type: "string", default: "1000" },
      seed: { type: "string", default: "1" },
      "group-share": { type: "string", default: "0.5" },
      "media-share": { type: "string", default: "0.1" },
      rate: { type: "string", default: "0" },
      corpus: { type: "string" },
      keep: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const number = (name: keyof typeof values, min: number, max = Infinity) => {
    const value = Number(values[name]);
    if (!Number.isFinite(value) || value < min || value > max) {
      throw new Error(`--${name} must be a number from ${min} to ${max}`);
    }
    return value;
  };
  return {
    help: values.help,
    url: values.url,
    keep: values.keep,
    json: values.json,
    corpusDir: values.corpus,
    users: Math.floor(number("users", 2, 10_000)),
    messages: Math.floor(number("messages", 1)),
    seed: Math.floor(number("seed", 0, 2 ** 32 - 1)),
    groupShare: number("group-share", 0, 1),
    mediaShare: number("media-share", 0, 1),
    rate: number("rate", 0),
  };
}

const say = (line: string) => process.stderr.write(`[demo] ${line}\n`);

let parsed: ReturnType<typeof options>;
try {
  parsed = options();
} catch (err) {
  process.stderr.write(`demo: ${(err as Error).message}\n${USAGE}`);
  process.exit(2);
}
if (parsed.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

let system: LocalSystem | undefined;
process.once("SIGINT", () => {
  say("interrupted; stopping");
  void (system?.stop(parsed.keep) ?? Promise.resolve()).then(() => process.exit(130));
});

let code = 1;
try {
  if (!parsed.url) system = await startLocalSystem(say);
  const url = parsed.url ?? system!.url;
  say(`replaying against ${url}`);
  const summary = await runDemo({
    ...parsed,
    url,
    tokenSecret: process.env.PARLEY_TOKEN_SECRET ?? INSECURE_DEV_TOKEN_SECRET,
    log: say,
  });
  process.stdout.write(
    parsed.json ? `${JSON.stringify(summary, null, 2)}\n` : `${format(summary)}\n`,
  );
  code = summary.ok ? 0 : 1;
} catch (err) {
  say(`failed: ${(err as Error).stack ?? String(err)}`);
} finally {
  await system?.stop(parsed.keep);
}
process.exit(code);
