import { Args, splitCommand } from "./args.js";
import type { Command, Context } from "./commands/command.js";
import { historyCommand } from "./commands/history.js";
import { listenCommand } from "./commands/listen.js";
import { sendCommand } from "./commands/send.js";
import { tokenCommand } from "./commands/token.js";
import { CliError, UsageError } from "./errors.js";
import { EXIT_CODES_HELP, ExitCode } from "./exit-codes.js";
import { Output } from "./output.js";
import { Session } from "./session.js";
import { DEFAULT_DEVICE, DEFAULT_URL, resolveTarget } from "./target.js";

const COMMANDS: Command[] = [tokenCommand, sendCommand, listenCommand, historyCommand];

const DEFAULT_TIMEOUT_SECONDS = 10;
/**
 * How long a command may take to finish after SIGINT or SIGTERM (listen
 * acks and closes) before parley exits anyway. Above the session's own
 * close grace, so that a clean close is never cut short.
 */
const STOP_GRACE_MS = 3_000;

const GLOBAL_HELP = `Options (before or after the command):
  --url URL          the edge's WebSocket URL (default $PARLEY_URL, else
                     ${DEFAULT_URL})
  --token TOKEN      the token to connect with (default $PARLEY_TOKEN)
  --user USER        instead of a token, mint one for USER's device, signed with
                     $PARLEY_TOKEN_SECRET or the local development secret
  --device D         the device of --user (default ${DEFAULT_DEVICE})
  --timeout SECONDS  how long to wait for the server: to connect, and for each
                     answer (default ${DEFAULT_TIMEOUT_SECONDS}; decimals allowed)
  --json             results as JSON lines on stdout
  -h, --help         this help; \`parley COMMAND --help\` for a command's own

Results go to stdout, diagnostics (one line, "parley: ...") to stderr.`;

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `Usage: parley [options] COMMAND [arguments]

parley speaks Parley's WebSocket protocol (docs/protocol.md) for people and
scripts.

Commands:
${lines.join("\n")}

${GLOBAL_HELP}

${EXIT_CODES_HELP}
`;
}

function commandUsage(command: Command): string {
  return `Usage: parley ${command.name} ${command.synopsis}

${command.details}

Global options: --url, --token, --user, --device, --timeout, --json (see
\`parley --help\`).

${EXIT_CODES_HELP}
`;
}

/** Runs the command `argv` names; resolves with the exit code. */
async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<ExitCode> {
  const { name, rest } = splitCommand(argv);
  if (name === undefined || name === "help") {
    if (name === "help" || Args.parse(rest, {}).flag("help")) {
      process.stdout.write(usage());
      return ExitCode.Ok;
    }
    throw new UsageError(`no command given (${COMMANDS.map((c) => c.name).join(", ")})`);
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw new UsageError(`unknown command ${JSON.stringify(name)}`);

  let args: Args;
  try {
    args = Args.parse(rest, command.options);
  } catch (err) {
    throw new UsageError(`${name}: ${(err as Error).message}`, { cause: err });
  }
  if (args.flag("help")) {
    process.stdout.write(commandUsage(command));
    return ExitCode.Ok;
  }
  await command.run(args, contextOf(args, env));
  return ExitCode.Ok;
}

function contextOf(args: Args, env: NodeJS.ProcessEnv): Context {
  const timeoutMs = args.seconds("timeout") ?? DEFAULT_TIMEOUT_SECONDS * 1000;
  const flags = {
    url: args.string("url"),
    token: args.string("token"),
    user: args.string("user"),
    device: args.string("device"),
  };
  return {
    output: new Output(args.flag("json")),
    env,
    timeoutMs,
    connect: async () => Session.open(await resolveTarget(flags, env), timeoutMs),
    stopRequested,
  };
}

/**
 * Resolves at the first SIGINT or SIGTERM. Commands that can stop cleanly
 * (listen) race it; any command still running STOP_GRACE_MS later, or at a
 * second signal, is cut short (exit 130).
 */
const stopRequested = new Promise<void>((resolve) => {
  let stopping = false;
  const onSignal = () => {
    if (stopping) process.exit(ExitCode.Interrupted);
    stopping = true;
    resolve();
    setTimeout(() => process.exit(ExitCode.Interrupted), STOP_GRACE_MS).unref();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
});

// A reader that went away (`parley listen --json | head -1`) wants no more.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(ExitCode.Ok);
  throw err;
});

try {
  process.exitCode = await main(process.argv.slice(2), process.env);
} catch (err) {
  if (err instanceof CliError) {
    process.stderr.write(`parley: ${err.message}\n`);
    if (err instanceof UsageError) process.stderr.write("Try `parley --help`.\n");
    process.exitCode = err.exitCode;
  } else {
    process.stderr.write(`parley: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = ExitCode.Internal;
  }
}
