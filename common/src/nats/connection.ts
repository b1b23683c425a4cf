import { connect, type NatsConnection, type NodeConnectionOptions } from "@nats-io/transport-node";
import type { Logger } from "pino";

/**
 * Connects to NATS and keeps reconnecting forever: a service outlives a NATS
 * restart, and JetStream keeps what it acked meanwhile. Status changes are
 * logged as they happen. `options` adds to or overrides the defaults.
 */
export async function connectNats(
  servers: string,
  name: string,
  log: Logger,
  options: Partial<NodeConnectionOptions> = {},
): Promise<NatsConnection> {
  const nc = await connect({
    servers: servers.split(","),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    waitOnFirstConnect: true,
    // nats.js otherwise captures a stack trace for every request and
    // JetStream publish, in case it fails: a fifth of a busy service's CPU
    // (measured on svc-presence's reports and svc-delivery's fanout).
    noAsyncTraces: true,
    ...options,
  });
  log.info({ server: nc.getServer() }, "nats connected");
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === "ping" || s.type === "staleConnection") continue;
      log.info(
        { nats_status: s.type, server: "server" in s ? s.server : undefined },
        "nats status",
      );
    }
  })();
  return nc;
}
