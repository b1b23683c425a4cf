import { ExitCode } from "./exit-codes.js";

/**
 * A failure `parley` reports and exits on. Each kind carries its exit code,
 * and its message is the one line printed to stderr.
 */
export abstract class CliError extends Error {
  abstract readonly exitCode: ExitCode;
}

/** The arguments do not make a valid command. */
export class UsageError extends CliError {
  override readonly name = "UsageError";
  readonly exitCode = ExitCode.Usage;
}

/** The server answered a request with an `error` frame. */
export class RequestRefused extends CliError {
  override readonly name = "RequestRefused";
  readonly exitCode = ExitCode.Refused;

  constructor(
    readonly code: string,
    readonly reason: string,
  ) {
    super(`refused: ${code}: ${reason}`);
  }
}

/** No connection to the edge could be made. */
export class ConnectionFailed extends CliError {
  override readonly name = "ConnectionFailed";
  readonly exitCode = ExitCode.Connection;

  constructor(url: string, cause: unknown) {
    super(`cannot connect to ${url}: ${messageOf(cause)}`, { cause });
  }
}

/** Close codes that refuse who the client is rather than what it did. */
const AUTH_CLOSE_CODES = new Set([4401, 4403]);

/** The server closed the connection (or it dropped) before the command was done. */
export class ConnectionClosed extends CliError {
  override readonly name = "ConnectionClosed";
  readonly exitCode: ExitCode;

  constructor(
    readonly code: number,
    readonly reason: string,
  ) {
    super(`connection closed: ${code}${reason ? ` ${reason}` : ""}`);
    this.exitCode = AUTH_CLOSE_CODES.has(code) ? ExitCode.Auth : ExitCode.Connection;
  }
}

/** The server broke the protocol (e.g. a frame that is not JSON). */
export class ProtocolViolation extends CliError {
  override readonly name = "ProtocolViolation";
  readonly exitCode = ExitCode.Connection;
}

/** Something did not happen within the time allowed. */
export class TimedOut extends CliError {
  override readonly name = "TimedOut";
  readonly exitCode = ExitCode.Timeout;

  constructor(what: string, ms: number) {
    super(`timed out: ${what} within ${ms / 1000} s`);
  }
}

/** SIGINT or SIGTERM stopped the command before it had done what was asked. */
export class Interrupted extends CliError {
  override readonly name = "Interrupted";
  readonly exitCode = ExitCode.Interrupted;
}

/** The message of an unknown thrown value, for one-line diagnostics. */
export function messageOf(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) {
    return err.errors.map(messageOf).join("; ");
  }
  return err instanceof Error ? err.message : String(err);
}
