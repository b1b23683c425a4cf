import { ConfigError, createLogger, Shutdown } from "@parley/common";
import { loadHistoryConfig, type HistoryConfig } from "./config.js";
import { startApp } from "./app.js";

/** Exit code of a configuration error, told apart from a crash (1). */
const EXIT_CONFIG = 2;

function readConfig(unknown: string[]): HistoryConfig {
  try {
    return loadHistoryConfig((name) => unknown.push(name));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`svc-history: ${err.message}\n`);
    process.exit(EXIT_CONFIG);
  }
}

const unknown: string[] = [];
const config = readConfig(unknown);
const log = createLogger("svc-history", config.LOG_LEVEL);
for (const key of unknown) log.warn({ key }, "unknown config key ignored");

const shutdown = new Shutdown(log, config.SHUTDOWN_DEADLINE_MS);
try {
  const app = await startApp(config, log, shutdown);
  shutdown.onSignals();
  log.info({ grpc_port: app.grpcPort }, "ready");
} catch (err) {
  log.fatal({ err }, "startup failed");
  await shutdown.run("startup failed");
  process.exit(1);
}
