import { signToken, type Identity } from "@parley/common";
import { dropNatsNamespace } from "../../../testkit/cleanup.js";
import { baseEnv, TEST_TOKEN_SECRET, uniqueNamespace } from "../../../testkit/env.js";
import { startService, type RunningService } from "../../../testkit/service.js";
import { TestClient } from "./ws-client.js";

/** One edge process in its own namespace, and helpers to reach it. */
export class EdgeDeployment {
  private constructor(
    readonly namespace: string,
    readonly edge: RunningService,
  ) {}

  /** Starts svc-edge on free ports; `env` overrides or adds settings. */
  static async start(env: Record<string, string> = {}, namespace = uniqueNamespace()) {
    const edge = await startService("edge", {
      ...baseEnv(namespace),
      EDGE_HTTP_ADDRESS: "127.0.0.1:0",
      GRPC_ADDRESS: "127.0.0.1:0",
      ...env,
    });
    return new EdgeDeployment(namespace, edge);
  }

  get url(): string {
    return `ws://127.0.0.1:${String(this.edge.ready.http_port)}/ws`;
  }

  get httpUrl(): string {
    return `http://127.0.0.1:${String(this.edge.ready.http_port)}`;
  }

  /** Connects and says hello as the given device. */
  async open(userId: string, deviceId = "d1"): Promise<TestClient> {
    return TestClient.open(this.url, await token({ userId, deviceId }));
  }

  /** Stops the edge (SIGTERM) and removes the namespace's streams. */
  async stop(): Promise<void> {
    await this.edge.stop();
    await dropNatsNamespace(this.namespace);
  }
}

/** A token for the test secret. */
export function token(identity: Identity, ttlSeconds = 300): Promise<string> {
  return signToken(identity, TEST_TOKEN_SECRET, ttlSeconds);
}

/** Polls `url` until it answers `status`; resolves with that response. */
export async function waitForHealth(url: string, status: number): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(url);
    if (res.status === status || attempt === 100) return res;
    await res.body?.cancel();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
