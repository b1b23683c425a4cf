// One user's device, speaking only the documented protocol
// (docs/protocol.md): hello, requests answered by id within the edge's
// token bucket, cumulative acks, and a record of every message received.
import { setTimeout as sleep } from "node:timers/promises";
import WebSocket from "ws";

export type Frame = { type: string } & Record<string, unknown>;

/** A `message` frame's message as the demo keeps it. */
export interface Received {
  id: string;
  conversationId: string;
  seq: number;
  from: string;
  clientId: string;
  body: string | undefined;
  mediaSha256: string | undefined;
  /** process.hrtime.bigint() at arrival. */
  at: bigint;
}

interface Pending {
  frame: Frame & { id: string };
  resolve: (answer: Frame) => void;
  reject: (err: Error) => void;
}

const ACK_DELAY_MS = 50;
const RETRY_DELAY_MS = 250;
const MAX_RETRIES = 40;

export class DemoClient {
  /** Messages (not membership changes), in arrival order, repeats included. */
  readonly received: Received[] = [];
  /** Set when the socket closed without close() being called. */
  unexpectedClose: string | undefined;
  onMessage: (message: Received) => void = () => {};
  private readonly pending = new Map<string, Pending>();
  private tokens = 0;
  private refillPerMs = 0;
  private burst = 0;
  private refilledAt = Date.now();
  private lastInboxSeq = 0;
  private ackTimer: NodeJS.Timeout | undefined;
  private closing = false;

  private constructor(
    readonly user: string,
    private readonly ws: WebSocket,
  ) {}

  /** Connects, says hello and resolves once the inbox is caught up. */
  static async open(url: string, user: string, token: string): Promise<DemoClient> {
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    const client = new DemoClient(user, ws);
    const caughtUp = new Promise<void>((resolve, reject) => {
      ws.on("message", (data) => {
        const frame = JSON.parse(String(data)) as Frame;
        if (frame.type === "welcome") client.setLimits(frame);
        if (frame.type === "caught_up") resolve();
        client.onFrame(frame);
      });
      ws.once("close", (code, reason) => {
        if (!client.closing) client.unexpectedClose = `${code} ${reason.toString()}`.trim();
        reject(new Error(`${user}: socket closed (${client.unexpectedClose})`));
        for (const p of client.pending.values()) p.reject(new Error(`${user}: socket closed`));
      });
    });
    ws.send(JSON.stringify({ type: "hello", token }));
    await caughtUp;
    return client;
  }

  /**
   * Sends a request and resolves with its answer (an `error` frame too),
   * within the edge's token bucket (waiting for a token is not the
   * server's time: `onFirstWrite` runs when the frame first goes out).
   * `rate_limited` and `unavailable` are retried with the same id (a send
   * then with `retry: true`), as the protocol says to.
   */
  async request(frame: Frame & { id: string }, onFirstWrite?: () => void): Promise<Frame> {
    for (let attempt = 0; ; attempt++) {
      await this.takeToken();
      if (attempt === 0) onFirstWrite?.();
      const answer = await this.exchange(frame);
      const retryable =
        answer.type === "error" &&
        (answer.code === "rate_limited" || answer.code === "unavailable");
      if (!retryable || attempt >= MAX_RETRIES) return answer;
      await sleep(RETRY_DELAY_MS);
      if (frame.type === "send") frame = { ...frame, retry: true };
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    this.flushAck();
    if (this.ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise((resolve) => this.ws.once("close", resolve));
    this.ws.close(1000);
    await closed;
  }

  private exchange(frame: Frame & { id: string }): Promise<Frame> {
    return new Promise((resolve, reject) => {
      if (this.pending.has(frame.id)) throw new Error(`request id ${frame.id} already in flight`);
      this.pending.set(frame.id, { frame, resolve, reject });
      this.ws.send(JSON.stringify(frame));
    });
  }

  private onFrame(frame: Frame): void {
    if (typeof frame.inbox_seq === "number" && frame.type !== "caught_up") {
      this.lastInboxSeq = Math.max(this.lastInboxSeq, frame.inbox_seq);
      this.ackTimer ??= setTimeout(() => this.flushAck(), ACK_DELAY_MS);
    }
    if (frame.type === "message") this.onMessageFrame(frame);
    const id = typeof frame.id === "string" ? frame.id : undefined;
    const pending = id === undefined ? undefined : this.pending.get(id);
    if (pending && frame.type !== "message") {
      this.pending.delete(id!);
      pending.resolve(frame);
    }
  }

  private onMessageFrame(frame: Frame): void {
    const m = frame.message as Record<string, unknown>;
    if (m.membership !== undefined) return;
    const received: Received = {
      id: m.id as string,
      conversationId: m.conversation_id as string,
      seq: m.seq as number,
      from: m.from as string,
      clientId: m.client_id as string,
      body: m.body as string | undefined,
      mediaSha256: (m.media as { sha256?: string } | undefined)?.sha256,
      at: process.hrtime.bigint(),
    };
    this.received.push(received);
    this.onMessage(received);
  }

  private flushAck(): void {
    clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    if (this.lastInboxSeq > 0 && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify({ type: "ack", inbox_seq: this.lastInboxSeq }));
    }
  }

  /** The edge's limits from `welcome`: requests per second and burst. */
  private setLimits(welcome: Frame): void {
    this.burst = Number(welcome.send_burst ?? 40);
    this.refillPerMs = Number(welcome.sends_per_second ?? 20) / 1000;
    this.tokens = this.burst;
  }

  private async takeToken(): Promise<void> {
    for (;;) {
      const now = Date.now();
      this.tokens = Math.min(this.burst, this.tokens + (now - this.refilledAt) * this.refillPerMs);
      this.refilledAt = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await sleep(Math.ceil((1 - this.tokens) / this.refillPerMs));
    }
  }
}
