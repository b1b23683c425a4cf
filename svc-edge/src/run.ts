import { runService } from "@parley/common";
import { startEdge } from "./app.js";
import { loadEdgeConfig } from "./config.js";

// Config errors exit 2 naming the key; SIGTERM/SIGINT run the ordered stop
// that startEdge registered; "ready" carries the bound ports.
await runService(
  "svc-edge",
  (onUnknown) => loadEdgeConfig(process.env, onUnknown),
  async (config, log, shutdown) => {
    const { httpPort, grpcPort } = await startEdge(config, log, shutdown);
    return { http_port: httpPort, grpc_port: grpcPort };
  },
);
