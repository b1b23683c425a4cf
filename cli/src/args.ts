import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { UsageError } from "./errors.js";

/** Options every command takes, before or after the command name. */
export const GLOBAL_OPTIONS = {
  url: { type: "string" },
  token: { type: "string" },
  user: { type: "string" },
  device: { type: "string" },
  timeout: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsOptionsConfig;

/**
 * Finds the command name: the first argument that is neither a global
 * option nor a global option's value. Returns it and the other arguments.
 */
export function splitCommand(argv: string[]): { name: string | undefined; rest: string[] } {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") break;
    if (!arg.startsWith("-"))
      return { name: arg, rest: [...argv.slice(0, i), ...argv.slice(i + 1)] };
    const option = GLOBAL_OPTIONS[arg.slice(2) as keyof typeof GLOBAL_OPTIONS];
    if (option?.type === "string") i++; // its value follows
  }
  return { name: undefined, rest: argv };
}

/** A command's parsed arguments, with typed, validating accessors. */
export class Args {
  private constructor(
    private readonly values: Record<string, string | boolean | undefined>,
    readonly positionals: string[],
  ) {}

  /** Parses `argv` against the global options and the command's own. */
  static parse(argv: string[], options: ParseArgsOptionsConfig): Args {
    try {
      const { values, positionals } = parseArgs({
        args: argv,
        options: { ...GLOBAL_OPTIONS, ...options },
        allowPositionals: true,
        strict: true,
      });
      return new Args(values as Record<string, string | boolean | undefined>, positionals);
    } catch (err) {
      throw new UsageError((err as Error).message, { cause: err });
    }
  }

  string(name: string): string | undefined {
    const value = this.values[name];
    return typeof value === "string" ? value : undefined;
  }

  flag(name: string): boolean {
    return this.values[name] === true;
  }

  has(name: string): boolean {
    return this.values[name] !== undefined;
  }

  /** An integer option within [min, max]; absent gives undefined. */
  integer(name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
    const text = this.string(name);
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!/^-?\d+$/.test(text) || value < min || value > max) {
      throw new UsageError(
        `--${name} must be an integer from ${min} to ${max}, not ${JSON.stringify(text)}`,
      );
    }
    return value;
  }

  /** A duration option given in seconds (decimals allowed), in milliseconds. */
  seconds(name: string): number | undefined {
    const text = this.string(name);
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0 || text.trim() === "") {
      throw new UsageError(
        `--${name} must be a number of seconds above 0, not ${JSON.stringify(text)}`,
      );
    }
    return Math.round(value * 1000);
  }
}
