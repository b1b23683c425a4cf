import {
  Server,
  ServerCredentials,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import { HealthImplementation } from "grpc-health-check";
import type { Logger } from "pino";

export interface GrpcServerHandle {
  server: Server;
  /** The bound port (useful with port 0). */
  port: number;
  health: HealthImplementation;
  /** Marks every service NOT_SERVING, then stops after in-flight calls. */
  stop(graceMs: number): Promise<void>;
}

export interface GrpcService {
  /** Fully qualified name, e.g. "parley.delivery.v1.DeliveryService". */
  name: string;
  definition: ServiceDefinition;
  implementation: UntypedServiceImplementation;
}

/**
 * Serves the given services plus grpc.health.v1 on `address`. Health starts
 * SERVING for the whole server ("") and for each service once bound.
 */
export async function startGrpcServer(
  address: string,
  services: GrpcService[],
  log: Logger,
): Promise<GrpcServerHandle> {
  const server = new Server({ "grpc.max_receive_message_length": 4 * 1024 * 1024 });
  const health = new HealthImplementation({ "": "NOT_SERVING" });
  health.addToServer(server);
  for (const s of services) server.addService(s.definition, s.implementation);

  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(address, ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    ),
  );
  health.setStatus("", "SERVING");
  for (const s of services) health.setStatus(s.name, "SERVING");
  log.info({ address, port }, "grpc listening");

  const stop = async (graceMs: number) => {
    health.setStatus("", "NOT_SERVING");
    for (const s of services) health.setStatus(s.name, "NOT_SERVING");
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, graceMs);
      force.unref();
      server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  };
  return { server, port, health, stop };
}
