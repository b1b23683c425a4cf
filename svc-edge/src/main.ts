import { ConfigError, createLogger, Shutdown } from "@parley/common";
import { startEdge } from "./app.js";
import { loadEdgeConfig, type EdgeConfig } from "./config.js";

const unknown: string[] = [];
let config: EdgeConfig;
try {
  config = loadEdgeConfig(process.env, (name) => unknown.push(name));
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`svc-edge: ${err.message}\n`);
  process.exit(2);
}

const log = createLogger("svc-edge", config.LOG_LEVEL);
for (const key of unknown) log.warn({ key }, "unknown setting ignored");
const shutdown = new Shutdown(log, config.SHUTDOWN_DEADLINE_MS);
shutdown.onSignals();
try {
  const { httpPort: http_port, grpcPort: grpc_port } = await startEdge(config, log, shutdown);
  log.info({ http_port, grpc_port }, "ready");
} catch (err) {
  log.fatal({ err }, "start failed");
  await shutdown.run("start failed");
  process.exit(1);
}
