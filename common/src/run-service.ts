import { ConfigError } from "./config.js";
import { createLogger, type Logger } from "./logger.js";
import { Shutdown } from "./shutdown.js";
import { stopTelemetry } from "./telemetry/lifecycle.js";

/** Config fields every service's schema carries (see commonSettings). */
export interface BaseConfig {
  LOG_LEVEL: string;
  SHUTDOWN_DEADLINE_MS: number;
}

/**
 * A service's main: load the config (exit 2 naming the bad keys), create the
 * logger, start the app, stop it in order on SIGTERM/SIGINT or when the
 * launcher that started it (over IPC) is gone, and announce
 * `ready` with the fields the app returns (its bound ports): in the log, and
 * as an IPC message `{type: "ready", ...}` when a parent process listens, so
 * launchers need not depend on the log level. A failed start runs the
 * shutdown steps registered so far and exits 1.
 */
export async function runService<C extends BaseConfig>(
  service: string,
  loadConfig: (onUnknown: (name: string) => void) => C,
  start: (config: C, log: Logger, shutdown: Shutdown) => Promise<object>,
): Promise<void> {
  // The project pins Node 24 (npm scripts run it); an older Node fails
  // later, in odd places (Map.groupBy, for one), so it is refused here.
  const major = Number(process.versions.node.split(".")[0]);
  if (major < 24) {
    process.stderr.write(
      `${service}: needs Node 24, found ${process.version}; run it through npm (npm start), ` +
        "which uses the Node the project pins\n",
    );
    process.exit(2);
  }
  const unknown: string[] = [];
  let config: C;
  try {
    config = loadConfig((name) => unknown.push(name));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${service}: ${err.message}\n`);
    process.exit(2);
  }
  const log = createLogger(service, config.LOG_LEVEL);
  for (const name of unknown) log.warn({ env: name }, "unknown setting ignored");
  // A bug that escapes every handler leaves state nobody can vouch for:
  // log it like any other line and exit, so the supervisor starts afresh.
  // Unacked work comes back from JetStream; nothing acked depends on memory.
  const crash = (err: unknown) => {
    log.fatal({ err }, "unexpected failure, exiting");
    process.exit(1);
  };
  process.on("uncaughtException", crash);
  process.on("unhandledRejection", crash);
  const shutdown = new Shutdown(log, config.SHUTDOWN_DEADLINE_MS);
  shutdown.onSignals();
  shutdown.onParentGone();
  try {
    const ready = await start(config, log, shutdown);
    // Last, so spans and metrics of the whole stop are flushed too.
    shutdown.add("flush telemetry", stopTelemetry);
    log.info(ready, "ready");
    process.send?.({ type: "ready", ...ready });
  } catch (err) {
    log.fatal({ err }, "start failed");
    await shutdown.run("start failed");
    process.exit(1);
  }
}
