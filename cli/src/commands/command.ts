import type { ParseArgsOptionsConfig } from "node:util";
import type { Args } from "../args.js";
import type { Output } from "../output.js";
import type { Session } from "../session.js";

/** What a command runs with, beside its arguments. */
export interface Context {
  output: Output;
  env: NodeJS.ProcessEnv;
  /** How long to wait for the server: connecting, and each answer (--timeout). */
  timeoutMs: number;
  /** Opens a session with the server and identity the global options chose. */
  connect(): Promise<Session>;
  /** Resolves when the user asks the command to stop (SIGINT, SIGTERM). */
  stopRequested: Promise<void>;
}

/** One `parley` command. */
export interface Command {
  name: string;
  /** The arguments after the name, e.g. `(--to USER | --group ID) TEXT`. */
  synopsis: string;
  /** One line for `parley --help`. */
  summary: string;
  /** The command's own options and notes, for `parley NAME --help`. */
  details: string;
  options: ParseArgsOptionsConfig;
  /** Runs the command; failures are thrown as CliErrors. */
  run(args: Args, context: Context): Promise<void>;
}
