import WebSocket from "ws";

/** A frame the server sent, parsed. */
export type Frame = { type: string } & Record<string, unknown>;

/** How a socket ended. */
export interface Closed {
  code: number;
  reason: string;
}

interface Waiter {
  match: (frame: Frame) => boolean;
  resolve: (frame: Frame) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

const DEFAULT_WAIT_MS = 10_000;

/**
 * A small Parley WebSocket client for tests: connect, hello, send frames,
 * wait for a frame matching a predicate, collect messages, see how the
 * socket closed. Every frame received is kept in `frames`, in order.
 */
export class TestClient {
  /** Every frame received so far, in arrival order. */
  readonly frames: Frame[] = [];
  /** Resolves when the socket closes, with the close code and reason. */
  readonly closed: Promise<Closed>;
  private readonly waiters = new Set<Waiter>();
  /** Frames no next() has taken yet, in arrival order. */
  private readonly unclaimed: Frame[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => this.onFrame(JSON.parse(String(data)) as Frame));
    this.closed = new Promise((resolve) => {
      ws.once("close", (code, reason) => {
        const closed = { code, reason: reason.toString() };
        for (const w of this.waiters)
          w.reject(new Error(`socket closed: ${code} ${closed.reason}`));
        this.waiters.clear();
        resolve(closed);
      });
    });
  }

  /** Opens a socket to e.g. `ws://127.0.0.1:<port>/ws`; `options` go to ws. */
  static async connect(url: string, options?: WebSocket.ClientOptions): Promise<TestClient> {
    const ws = new WebSocket(url, options);
    const client = new TestClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    return client;
  }

  /** Connects and says hello; resolves with the welcome frame. */
  static async open(url: string, token: string): Promise<TestClient> {
    const client = await TestClient.connect(url);
    await client.hello(token);
    return client;
  }

  async hello(token: string): Promise<Frame> {
    this.send({ type: "hello", token });
    return this.next((f) => f.type === "welcome");
  }

  /** Sends a frame: an object is JSON-encoded, a string goes as is. */
  send(frame: object | string): void {
    this.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /**
   * Takes the earliest frame matching `match` that no earlier next() took,
   * waiting for one if none arrived yet. Rejects on timeout or close.
   */
  next(match: (frame: Frame) => boolean = () => true, timeoutMs = DEFAULT_WAIT_MS): Promise<Frame> {
    const index = this.unclaimed.findIndex(match);
    if (index >= 0) return Promise.resolve(this.unclaimed.splice(index, 1)[0]!);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new Error(`no matching frame within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** Sends a request and waits for the answer carrying the same id. */
  async request(frame: { id: string } & Record<string, unknown>): Promise<Frame> {
    this.send(frame);
    return this.next((f) => f.id === frame.id);
  }

  /** Collects `message` frames until `count` arrived; resolves with them. */
  async messages(count: number, timeoutMs = DEFAULT_WAIT_MS): Promise<Frame[]> {
    const got: Frame[] = [];
    while (got.length < count) got.push(await this.next((f) => f.type === "message", timeoutMs));
    return got;
  }

  /** Waits for the next `caught_up` frame. */
  caughtUp(timeoutMs = DEFAULT_WAIT_MS): Promise<Frame> {
    return this.next((f) => f.type === "caught_up", timeoutMs);
  }

  /** Every `message` frame received so far. */
  receivedMessages(): Frame[] {
    return this.frames.filter((f) => f.type === "message");
  }

  /** Closes the socket and waits until it is closed. */
  async close(): Promise<Closed> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) {
      this.ws.close(1000);
    }
    return this.closed;
  }

  private onFrame(frame: Frame): void {
    this.frames.push(frame);
    for (const w of this.waiters) {
      if (!w.match(frame)) continue;
      clearTimeout(w.timer);
      this.waiters.delete(w);
      w.resolve(frame);
      return;
    }
    this.unclaimed.push(frame);
  }
}
