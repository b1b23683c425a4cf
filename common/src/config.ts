import { cleanEnv, type CleanedEnv, type ValidatorSpec } from "envalid";

/**
 * One typed config schema per service: each key is the environment variable
 * name, each spec carries its default and description (envalid's `desc`).
 * Startup fails with a message that names every bad key.
 */
export type ConfigSpec = Record<string, ValidatorSpec<unknown>>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

export interface LoadConfigOptions {
  /** Where to read from; process.env by default. */
  env?: NodeJS.ProcessEnv;
  /**
   * Prefixes whose unknown variables are reported (typos of real keys);
   * PARLEY_ is always one of them.
   */
  warnPrefixes?: string[];
  /** Called once per unknown variable carrying one of the prefixes. */
  onUnknown?: (name: string) => void;
}

export function loadConfig<S extends ConfigSpec>(
  spec: S,
  options: LoadConfigOptions = {},
): CleanedEnv<S> {
  const env = options.env ?? process.env;
  const problems: string[] = [];
  const config = cleanEnv(env, spec, {
    reporter: ({ errors }) => {
      for (const [key, error] of Object.entries(errors)) {
        problems.push(`${key}: ${(error as Error).message}`);
      }
    },
  });
  if (problems.length > 0) {
    throw new ConfigError(`invalid configuration: ${problems.join("; ")}`);
  }
  const prefixes = ["PARLEY_", ...(options.warnPrefixes ?? [])];
  for (const name of Object.keys(env)) {
    const watched = prefixes.some((prefix) => name.startsWith(prefix));
    if (watched && !(name in spec)) options.onUnknown?.(name);
  }
  return config;
}
