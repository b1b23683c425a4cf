import assert from "node:assert/strict";
import { TestClient, type Frame } from "../../svc-edge/test/support/ws-client.js";
import { token } from "../../svc-edge/test/support/deployment.js";

/**
 * The WebSocket clients of one e2e test file: opened caught up against the
 * system's edge, all closed after each test.
 */
export class Clients {
  private readonly open_: TestClient[] = [];

  constructor(private readonly edgeUrl: () => string) {}

  /** Connects as the user's device and waits until its inbox is caught up. */
  async open(user: string, device = "d1"): Promise<TestClient> {
    const client = await TestClient.open(
      this.edgeUrl(),
      await token({ userId: user, deviceId: device }),
    );
    this.open_.push(client);
    await client.caughtUp();
    return client;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.open_.splice(0).map((c) => c.close()));
  }
}

/** Sends a request and fails the test on an error answer. */
export async function ok(
  client: TestClient,
  frame: { id: string } & Record<string, unknown>,
): Promise<Frame> {
  const answer = await client.request(frame);
  assert.notEqual(answer.type, "error", JSON.stringify(answer));
  return answer;
}
