import { randomUUID } from "node:crypto";
import WebSocket from "ws";
import {
  ConnectionClosed,
  ConnectionFailed,
  RequestRefused,
  TimedOut,
  UsageError,
  ProtocolViolation,
  messageOf,
  type CliError,
} from "./errors.js";
import type { Frame } from "./frames.js";
import type { Target } from "./target.js";

/** An inbox entry (`message` or `receipt`): acked by its `inbox_seq`. */
export type InboxFrame = Frame & { inbox_seq: number };

interface Waiter {
  match: (frame: Frame) => boolean;
  resolve: (frame: Frame) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/** How long a clean close may take before the socket is dropped. */
const CLOSE_GRACE_MS = 2_000;
const INBOX_TYPES = new Set(["message", "receipt"]);

/**
 * One connection to the edge, past `hello`: requests answered by id, the
 * inbox entries the edge pushes, acks, and a clean close. Every failure
 * surfaces as a CliError: a refused request, a timeout, or the close.
 */
export class Session {
  /**
   * Rejects once the session can no longer serve the command: the server
   * closed the socket (or it dropped), or it sent an error frame that names
   * no request. Never resolves; race it against what the command awaits.
   */
  readonly failed: Promise<never>;
  private fail!: (err: CliError) => void;
  private failure: CliError | undefined;
  private readonly closed: Promise<void>;
  private readonly waiters = new Set<Waiter>();
  private onInboxEntry: ((frame: InboxFrame) => void) | undefined;
  /** Entries that arrived before anyone listened, in order. */
  private readonly unclaimedInbox: InboxFrame[] = [];
  /** The last socket error: explains a close without a close frame. */
  private lastError: Error | undefined;

  private constructor(
    private readonly ws: WebSocket,
    private readonly timeoutMs: number,
  ) {
    this.failed = new Promise<never>((_, reject) => (this.fail = reject));
    // Commands that never race `failed` must not crash on its rejection.
    this.failed.catch(() => {});
    ws.on("message", (data) => this.onFrame(String(data)));
    ws.on("error", (err) => (this.lastError = err));
    this.closed = new Promise((resolve) => {
      ws.once("close", (code, reason) => {
        this.onClose(code, reason.toString());
        resolve();
      });
    });
  }

  /** Connects, says hello and waits for `welcome`. */
  static async open(target: Target, timeoutMs: number): Promise<Session> {
    const ws = await connect(target.url, timeoutMs);
    const session = new Session(ws, timeoutMs);
    try {
      session.write({ type: "hello", token: target.token });
      await session.next((f) => f.type === "welcome", "welcome after hello");
    } catch (err) {
      await session.close();
      throw err;
    }
    return session;
  }

  /**
   * Sends a request with a fresh id (unless it has one, as a retry must)
   * and resolves with the answer carrying that id. An `error` answer
   * rejects with RequestRefused.
   */
  async request(frame: { type: string; id?: string } & Record<string, unknown>): Promise<Frame> {
    const id = frame.id ?? randomUUID();
    this.write({ ...frame, id });
    const answer = await this.next((f) => f.id === id, `an answer to ${frame.type}`);
    if (answer.type === "error") {
      throw new RequestRefused(String(answer.code), String(answer.reason ?? ""));
    }
    return answer;
  }

  /**
   * Hands every inbox entry to `listener`, those that arrived before this
   * call first. Entries are not acked unless the listener calls ack().
   */
  listenInbox(listener: (frame: InboxFrame) => void): void {
    this.onInboxEntry = listener;
    for (const frame of this.unclaimedInbox.splice(0)) listener(frame);
  }

  /** Cumulative ack: every entry up to `inboxSeq` is stored on this device. */
  ack(inboxSeq: number): void {
    this.write({ type: "ack", inbox_seq: inboxSeq });
  }

  /**
   * Closes with 1000 and waits for the server's close, which is when the
   * edge stores the device's pending acks. Idempotent.
   */
  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(1000);
    const drop = setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS);
    await this.closed;
    clearTimeout(drop);
  }

  private write(frame: object): void {
    if (this.failure) throw this.failure;
    this.ws.send(JSON.stringify(frame));
  }

  /** The next frame matching `match`; rejects on timeout or failure. */
  private next(match: (frame: Frame) => boolean, what: string): Promise<Frame> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new TimedOut(what, this.timeoutMs));
        }, this.timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  private onFrame(text: string): void {
    let frame: Frame;
    try {
      frame = JSON.parse(text) as Frame;
    } catch {
      return this.failWith(new ProtocolViolation("the server sent a frame that is not JSON"));
    }
    if (INBOX_TYPES.has(frame.type) && typeof frame.inbox_seq === "number") {
      const entry = frame as InboxFrame;
      if (this.onInboxEntry) this.onInboxEntry(entry);
      else this.unclaimedInbox.push(entry);
      return;
    }
    for (const waiter of this.waiters) {
      if (!waiter.match(frame)) continue;
      this.waiters.delete(waiter);
      clearTimeout(waiter.timer);
      return waiter.resolve(frame);
    }
    // An error without an id refuses a frame the server could not tie to a
    // request (e.g. an ack): nothing parley sends should cause one.
    if (frame.type === "error") {
      this.failWith(new RequestRefused(String(frame.code), String(frame.reason ?? "")));
    }
  }

  private onClose(code: number, reason: string): void {
    // 1005/1006: no close frame; the socket error says why, if any.
    const why = reason || (this.lastError ? messageOf(this.lastError) : "");
    this.failWith(new ConnectionClosed(code, why || "without a reason"));
  }

  private failWith(err: CliError): void {
    if (this.failure) return;
    this.failure = err;
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(err);
    }
    this.waiters.clear();
    this.fail(err);
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(1000);
  }
}

/** Opens the socket; a URL that is not a WebSocket URL is a usage error. */
function connect(url: string, timeoutMs: number): Promise<WebSocket> {
  let ws: WebSocket;
  try {
    ws = new WebSocket(url, { handshakeTimeout: timeoutMs, perMessageDeflate: false });
  } catch (err) {
    throw new UsageError(`bad server URL ${JSON.stringify(url)}: ${messageOf(err)}`);
  }
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(new ConnectionFailed(url, err));
    ws.once("error", onError);
    ws.once("open", () => {
      ws.off("error", onError);
      resolve(ws);
    });
  });
}
