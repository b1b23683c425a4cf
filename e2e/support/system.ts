import { dropNatsNamespace, dropSchema } from "../../testkit/cleanup.js";
import { baseEnv, uniqueNamespace } from "../../testkit/env.js";
import { freePort } from "../../testkit/ports.js";
import { startTestS3, type TestS3 } from "../../testkit/s3.js";
import { startService, type RunningService } from "../../testkit/service.js";

type Name = "history" | "presence" | "media" | "delivery" | "edge";
const ORDER: Name[] = ["history", "presence", "media", "delivery", "edge"];

export interface SystemOptions {
  /** Run svc-media too, with an s3rver of the system's own. */
  media?: boolean;
  /** Serve each service's metrics for Prometheus, on a port of its own (metricsUrl). */
  metrics?: boolean;
}

/**
 * The whole system in one namespace: svc-history, svc-presence, svc-media
 * (when asked for), svc-delivery and svc-edge as processes, on ports fixed
 * at start so that a restarted service comes back where the others (and
 * the clients) expect it.
 */
export class System {
  private readonly running = new Map<Name, RunningService>();
  /** Instances started by startExtra, in start order. */
  private readonly extras: RunningService[] = [];

  private constructor(
    readonly namespace: string,
    private readonly env: Record<Name, Record<string, string>>,
    readonly edgeUrl: string,
    private readonly s3: TestS3 | undefined,
  ) {}

  static async start(
    extraEnv: Record<string, string> = {},
    options: SystemOptions = {},
  ): Promise<System> {
    const namespace = uniqueNamespace();
    const [delivery, history, presence, media, edgeHttp, edgeGrpc] = await Promise.all(
      Array.from({ length: 6 }, freePort),
    );
    const s3 = options.media ? await startTestS3() : undefined;
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
      MEDIA_ADDRESS: `127.0.0.1:${media}`,
      ...extraEnv,
    };
    const metrics = async (): Promise<Record<string, string>> =>
      options.metrics
        ? {
            OTEL_METRICS_EXPORTER: "prometheus",
            OTEL_EXPORTER_PROMETHEUS_HOST: "127.0.0.1",
            OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()),
          }
        : {};
    const system = new System(
      namespace,
      {
        history: { ...shared, ...(await metrics()), GRPC_ADDRESS: `127.0.0.1:${history}` },
        presence: { ...shared, ...(await metrics()), GRPC_ADDRESS: `127.0.0.1:${presence}` },
        media: { ...shared, ...s3?.env, ...(await metrics()), GRPC_ADDRESS: `127.0.0.1:${media}` },
        delivery: { ...shared, ...(await metrics()), GRPC_ADDRESS: `127.0.0.1:${delivery}` },
        edge: {
          ...shared,
          ...(await metrics()),
          GRPC_ADDRESS: `127.0.0.1:${edgeGrpc}`,
          EDGE_HTTP_ADDRESS: `127.0.0.1:${edgeHttp}`,
        },
      },
      `ws://127.0.0.1:${edgeHttp}/ws`,
      s3,
    );
    for (const name of ORDER) {
      if (name !== "media" || s3) await system.startOne(name);
    }
    return system;
  }

  /** Where a service serves its metrics (with `metrics: true`). */
  metricsUrl(name: Name): string {
    const port = this.env[name].OTEL_EXPORTER_PROMETHEUS_PORT;
    if (!port) throw new Error("the system was started without metrics: true");
    return `http://127.0.0.1:${port}/metrics`;
  }

  /** Where a service's gRPC server listens. */
  address(name: Exclude<Name, "edge">): string {
    return this.env[name].GRPC_ADDRESS!;
  }

  async startOne(name: Name): Promise<void> {
    this.running.set(name, await startService(name, this.env[name]));
  }

  /** The running first instance of a service (its ready fields, its logs). */
  service(name: Name): RunningService | undefined {
    return this.running.get(name);
  }

  /**
   * Starts another instance of a service beside the first, with `env` over
   * the service's own (e.g. FANOUT_PARTITIONS) and a gRPC port of its own.
   * Nothing calls its gRPC server: the others know the first's address.
   * It stops with the system, before the first instances.
   */
  async startExtra(
    name: Exclude<Name, "edge">,
    env: Record<string, string> = {},
  ): Promise<RunningService> {
    const address = `127.0.0.1:${await freePort()}`;
    const extra = await startService(name, { ...this.env[name], GRPC_ADDRESS: address, ...env });
    this.extras.push(extra);
    return extra;
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
    for (const extra of this.extras.splice(0).reverse()) await extra.stop();
    for (const name of [...ORDER].reverse()) await this.running.get(name)?.stop();
    this.running.clear();
    await this.s3?.stop();
    await dropNatsNamespace(this.namespace);
    await dropSchema(this.namespace);
  }
}
