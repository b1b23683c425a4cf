/**
 * What `parley` exits with. Scripts branch on these, so they are part of
 * the command's contract: `parley --help` and the README list them.
 */
export const ExitCode = {
  /** The command did what it was asked. */
  Ok: 0,
  /** The server refused the request (an `error` frame). */
  Refused: 1,
  /** Bad arguments. */
  Usage: 2,
  /** No connection to the server, or it closed the connection. */
  Connection: 3,
  /** The server refused the identity: bad or expired token (4401) or device not allowed (4403). */
  Auth: 4,
  /** No answer (or not the messages asked for) within the timeout. */
  Timeout: 5,
  /** parley itself failed: not built, or a bug. */
  Internal: 70,
  /** SIGINT or SIGTERM stopped the command before it was done. */
  Interrupted: 130,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit codes as `parley --help` and the README show them. */
export const EXIT_CODES_HELP = `Exit codes:
  0   ok
  1   the server refused the request (error frame: its code and reason go to
      stderr)
  2   usage error (bad arguments)
  3   cannot connect, or the connection closed (close code and reason on stderr)
  4   authentication refused: bad or expired token (4401), device not allowed (4403)
  5   timeout: no answer in time, or listen --count not reached within --timeout
  70  parley itself failed (not built, or a bug)
  130 stopped by SIGINT or SIGTERM before done (a listen without --count
      ends this way with 0)`;
