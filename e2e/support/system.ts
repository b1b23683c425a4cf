import { dropNatsNamespace, dropSchema } from "../../testkit/cleanup.js";
import { baseEnv, uniqueNamespace } from "../../testkit/env.js";
import { freePort } from "../../testkit/ports.js";
import { startService, type RunningService } from "../../testkit/service.js";

type Name = "history" | "presence" | "delivery" | "edge";
const ORDER: Name[] = ["history", "presence", "delivery", "edge"];

/**
 * The whole system in one namespace: svc-history, svc-delivery and svc-edge
 * as processes, on ports fixed at start so that a restarted service comes
 * back where the others (and the clients) expect it.
 */
export class System {
  private readonly running = new Map<Name, RunningService>();

  private constructor(
    readonly namespace: string,
    private readonly env: Record<Name, Record<string, string>>,
    readonly edgeUrl: string,
  ) {}

  static async start(extraEnv: Record<string, string> = {}): Promise<System> {
    const namespace = uniqueNamespace();
    const [delivery, history, presence, edgeHttp, edgeGrpc] = await Promise.all(
      Array.from({ length: 5 }, freePort),
    );
    const shared = {
      ...baseEnv(namespace),
      // Test clients send far faster than people; the limiter has its own tests.
      EDGE_SENDS_PER_SECOND: "100000",
      EDGE_SEND_BURST: "100000",
      // Crash tests wait out these before killed consumers' entries return.
      PARLEY_FANOUT_ACK_WAIT_MS: "2000",
      PARLEY_HISTORY_ACK_WAIT_MS: "3000",
      DELIVERY_ADDRESS: `127.0.0.1:${delivery}`,
      HISTORY_ADDRESS: `127.0.0.1:${history}`,
      PRESENCE_ADDRESS: `127.0.0.1:${presence}`,
      ...extraEnv,
    };
    const system = new System(
      namespace,
      {
        history: { ...shared, GRPC_ADDRESS: `127.0.0.1:${history}` },
        presence: { ...shared, GRPC_ADDRESS: `127.0.0.1:${presence}` },
        delivery: { ...shared, GRPC_ADDRESS: `127.0.0.1:${delivery}` },
        edge: {
          ...shared,
          GRPC_ADDRESS: `127.0.0.1:${edgeGrpc}`,
          EDGE_HTTP_ADDRESS: `127.0.0.1:${edgeHttp}`,
        },
      },
      `ws://127.0.0.1:${edgeHttp}/ws`,
    );
    for (const name of ORDER) await system.startOne(name);
    return system;
  }

  /** Where a service's gRPC server listens. */
  address(name: Exclude<Name, "edge">): string {
    return this.env[name].GRPC_ADDRESS!;
  }

  async startOne(name: Name): Promise<void> {
    this.running.set(name, await startService(name, this.env[name]));
  }

  /** SIGKILL: the service dies with whatever it held in memory. */
  async kill(name: Name): Promise<void> {
    await this.running.get(name)?.kill();
    this.running.delete(name);
  }

  async restart(name: Name): Promise<void> {
    await this.kill(name);
    await this.startOne(name);
  }

  /** Stops every service in order and removes the namespace. */
  async stop(): Promise<void> {
    for (const name of [...ORDER].reverse()) await this.running.get(name)?.stop();
    this.running.clear();
    await dropNatsNamespace(this.namespace);
    await dropSchema(this.namespace);
  }
}
