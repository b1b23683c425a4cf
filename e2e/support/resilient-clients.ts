import { setTimeout as sleep } from "node:timers/promises";
import { TestClient, type Frame } from "../../svc-edge/test/support/ws-client.js";
import { token } from "../../svc-edge/test/support/deployment.js";
import { eventually } from "../../testkit/eventually.js";

/** Opens a session, retrying while the edge is down or restarting. */
async function openWithRetry(url: () => string, user: string, device: string) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return await TestClient.open(url(), await token({ userId: user, deviceId: device }));
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(100);
    }
  }
}

/** What the server acknowledged for one send. */
export interface Acked {
  messageId: string;
  conversationId: string;
  seq: number;
}

/**
 * Sends like a real app: every send stays in an outbox until `sent` arrives;
 * an `unavailable` error or a lost connection resends it with the same id.
 */
export class ResilientSender {
  readonly acked = new Map<string, Acked>();
  /** Error frames of sends the server refused for good. */
  readonly refused: Frame[] = [];
  private readonly outbox = new Map<string, string>();
  private client: TestClient | undefined;
  private stopped = false;

  constructor(
    private readonly url: () => string,
    readonly user: string,
    private readonly to: string,
    private readonly device = "sender",
  ) {}

  async connect(): Promise<void> {
    const client = await openWithRetry(this.url, this.user, this.device);
    this.client = client;
    client.ws.on("message", (data) => this.onFrame(JSON.parse(String(data)) as Frame));
    void client.closed.then(() => this.reconnect());
    for (const [id, body] of this.outbox) this.transmit(id, body);
  }

  send(id: string, body: string): void {
    this.outbox.set(id, body);
    this.transmit(id, body);
  }

  /** Resolves once every send was acknowledged. */
  drained(timeoutMs = 60_000): Promise<void> {
    return eventually(
      () => this.outbox.size === 0,
      timeoutMs,
      () => `every send acked (${this.outbox.size} left)`,
    );
  }

  async close(): Promise<void> {
    this.stopped = true;
    await this.client?.close();
  }

  private transmit(id: string, body: string): void {
    if (this.client?.ws.readyState === this.client?.ws.OPEN) {
      this.client!.send({ type: "send", id, to: this.to, body });
    }
  }

  private onFrame(frame: Frame): void {
    const id = frame.id as string;
    if (frame.type === "sent" && this.outbox.has(id)) {
      this.outbox.delete(id);
      this.acked.set(id, {
        messageId: frame.message_id as string,
        conversationId: frame.conversation_id as string,
        seq: frame.seq as number,
      });
    } else if (frame.type === "error" && this.outbox.has(id)) {
      const retryable = frame.code === "unavailable" || frame.code === "internal";
      if (!retryable) {
        this.outbox.delete(id);
        this.refused.push(frame);
        return;
      }
      setTimeout(() => this.transmit(id, this.outbox.get(id)!), 200);
    }
  }

  private async reconnect(): Promise<void> {
    if (!this.stopped) await this.connect();
  }
}

/** Receives like a real app: acks everything, reconnects when cut off. */
export class ResilientReceiver {
  /** Message ids in arrival order, repeats included. */
  readonly arrivals: string[] = [];
  /** How often each message id arrived. */
  readonly counts = new Map<string, number>();
  /** Conversation seqs in arrival order, repeats included. */
  readonly seqs: number[] = [];
  private client: TestClient | undefined;
  private stopped = false;

  constructor(
    private readonly url: () => string,
    readonly user: string,
    private readonly device = "receiver",
  ) {}

  async connect(): Promise<void> {
    const client = await openWithRetry(this.url, this.user, this.device);
    this.client = client;
    client.ws.on("message", (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      if (frame.type !== "message") return;
      const message = frame.message as { id: string; seq: number };
      this.arrivals.push(message.id);
      this.counts.set(message.id, (this.counts.get(message.id) ?? 0) + 1);
      this.seqs.push(message.seq);
      client.send({ type: "ack", inbox_seq: frame.inbox_seq });
    });
    void client.closed.then(() => (this.stopped ? undefined : this.connect()));
  }

  /** Resolves once every id in `ids` has arrived at least once. */
  received(ids: Iterable<string>, timeoutMs = 60_000): Promise<void> {
    const wanted = [...new Set(ids)];
    const missing = () => wanted.filter((id) => !this.counts.has(id));
    return eventually(
      () => missing().length === 0,
      timeoutMs,
      () => `every message arrived (${missing().length} missing)`,
      100,
    );
  }

  async close(): Promise<void> {
    this.stopped = true;
    await this.client?.close();
  }
}
