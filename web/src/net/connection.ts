import { DisconnectedError, RequestError } from "../protocol/errors.js";
import {
  CloseCode,
  type Request,
  type ServerFrame,
  type ServerFrameOf,
} from "../protocol/frames.js";
import { randomId } from "../protocol/ids.js";
import { backoffMs } from "./backoff.js";

export type Welcome = ServerFrameOf<"welcome">;

/** Where the link to the edge stands; the UI shows it as is. */
export type LinkState =
  | { kind: "connecting" }
  | { kind: "online"; welcome: Welcome }
  | { kind: "offline"; reason: string; retryAt: number }
  | { kind: "stopped"; reason: string };

export interface ConnectionOptions {
  url: string;
  /** A token for hello; `fresh` after the edge refused the last one (4401). */
  token: (fresh: boolean) => Promise<string>;
  /** Every frame that is not the answer to a request made here. */
  onFrame: (frame: ServerFrame) => void;
  onState: (state: LinkState) => void;
}

/** How often the client checks that the socket still carries frames. */
const PING_EVERY_MS = 15_000;
const PONG_WITHIN_MS = 10_000;

/** A request frame; an `id` is made up when it has none. */
export type OutgoingRequest = Omit<Request, "id"> & { type: string; id?: string };

interface Pending {
  resolve: (frame: ServerFrame) => void;
  reject: (err: Error) => void;
}

/**
 * One WebSocket to the edge at a time: hello with a token, requests matched
 * to their answers by `id`, and reconnection with backoff unless the close
 * code says not to (4403, 4409, or a client bug). A dead network is found
 * by application pings, since a browser may hold a dead socket for minutes.
 */
export class Connection {
  private ws: WebSocket | undefined;
  private readonly pending = new Map<string, Pending>();
  private attempt = 0;
  private freshToken = false;
  private retryTimer: number | undefined;
  private pingTimer: number | undefined;
  private pongTimer: number | undefined;
  private stopped = true;
  private online = false;
  private opening = false;

  constructor(private readonly opts: ConnectionOptions) {}

  start(): void {
    this.stopped = false;
    window.addEventListener("online", this.onNetworkBack);
    void this.open();
  }

  stop(reason = "signed out"): void {
    this.stopped = true;
    window.removeEventListener("online", this.onNetworkBack);
    clearTimeout(this.retryTimer);
    const ws = this.ws;
    this.closed(1000, reason);
    ws?.close(1000);
  }

  /** Reconnects at once instead of waiting out the backoff. */
  reconnectNow(): void {
    if (this.ws || this.opening) return;
    this.stopped = false;
    clearTimeout(this.retryTimer);
    void this.open();
  }

  get isOnline(): boolean {
    return this.online;
  }

  /** Sends a request and resolves with its answer, or rejects with RequestError. */
  request<T extends ServerFrame = ServerFrame>(frame: OutgoingRequest): Promise<T> {
    const id = frame.id ?? randomId("r");
    if (!this.send({ ...frame, id })) return Promise.reject(new DisconnectedError());
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (f: ServerFrame) => void, reject });
    });
  }

  /** Sends a frame that has no answer (ack, typing); false when offline. */
  send(frame: object): boolean {
    if (!this.ws || !this.online) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  private readonly onNetworkBack = () => {
    if (!this.online) {
      this.attempt = 0;
      this.reconnectNow();
    }
  };

  private async open(): Promise<void> {
    if (this.opening) return;
    this.opening = true;
    this.opts.onState({ kind: "connecting" });
    let token: string;
    try {
      token = await this.opts.token(this.freshToken);
    } catch (err) {
      this.retry(`could not get a token: ${(err as Error).message}`);
      return;
    } finally {
      this.opening = false;
    }
    if (this.stopped) return;
    const ws = new WebSocket(this.opts.url);
    this.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify({ type: "hello", token }));
    ws.onmessage = (event) => {
      if (ws === this.ws) this.onMessage(String(event.data));
    };
    ws.onclose = (event) => {
      if (ws === this.ws) this.closed(event.code, event.reason);
    };
  }

  private onMessage(data: string): void {
    let frame: ServerFrame;
    try {
      frame = JSON.parse(data) as ServerFrame;
    } catch {
      return;
    }
    this.alive();
    if (frame.type === "welcome") {
      this.attempt = 0;
      this.freshToken = false;
      this.online = true;
      this.startPings();
      this.opts.onState({ kind: "online", welcome: frame });
      return;
    }
    const id = "id" in frame ? frame.id : undefined;
    const waiter = id === undefined ? undefined : this.pending.get(id);
    if (id !== undefined && waiter) {
      this.pending.delete(id);
      if (frame.type === "error") waiter.reject(new RequestError(frame.code, frame.reason));
      else waiter.resolve(frame);
      return;
    }
    if (frame.type === "pong") return;
    this.opts.onFrame(frame);
  }

  /** The socket is gone: fail what waits, then decide whether to come back. */
  private closed(code: number, reason: string): void {
    this.ws = undefined;
    this.online = false;
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
    for (const waiter of this.pending.values()) waiter.reject(new DisconnectedError());
    this.pending.clear();
    if (this.stopped) {
      this.opts.onState({ kind: "stopped", reason });
      return;
    }
    switch (code) {
      case CloseCode.Unauthenticated:
        this.freshToken = true;
        return this.retry("signing in again", this.attempt === 0 ? 0 : undefined);
      case CloseCode.Replaced:
        return this.halt("This device connected from another tab or window.");
      case CloseCode.DeviceRefused:
        return this.halt(reason || "This device may not connect.");
      case CloseCode.BadHello:
      case CloseCode.TooBig:
        return this.halt(`The server closed the connection (${code}).`);
      case CloseCode.RateLimited:
        return this.retry("too many requests", 5_000);
      default:
        return this.retry(navigator.onLine ? "connection lost" : "no network");
    }
  }

  private halt(reason: string): void {
    this.stopped = true;
    this.opts.onState({ kind: "stopped", reason });
  }

  private retry(reason: string, delayMs?: number): void {
    const wait = delayMs ?? backoffMs(this.attempt);
    this.attempt++;
    this.opts.onState({ kind: "offline", reason, retryAt: Date.now() + wait });
    clearTimeout(this.retryTimer);
    this.retryTimer = window.setTimeout(() => void this.open(), wait);
  }

  private startPings(): void {
    clearInterval(this.pingTimer);
    this.pingTimer = window.setInterval(() => {
      if (!this.send({ type: "ping" })) return;
      clearTimeout(this.pongTimer);
      this.pongTimer = window.setTimeout(() => this.dead(), PONG_WITHIN_MS);
    }, PING_EVERY_MS);
  }

  /** Any frame shows the socket carries traffic. */
  private alive(): void {
    clearTimeout(this.pongTimer);
  }

  /** No pong in time: give up on this socket without waiting for its close. */
  private dead(): void {
    const ws = this.ws;
    if (!ws) return;
    this.closed(1006, "no answer from the server");
    ws.close();
  }
}
