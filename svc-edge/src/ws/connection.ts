import type { RawData, WebSocket } from "ws";
import type { Duplex } from "node:stream";
import { SpanKind, type Context, type Span } from "@opentelemetry/api";
import { ErrorCode, ParleyError, parleyTracer, type Identity, type Logger } from "@parley/common";
import type { Authenticated } from "../auth/authenticate.js";
import type { DeliveryHub } from "../delivery/delivery-hub.js";
import type { DeviceSession } from "../delivery/device-session.js";
import type { InboxEntry } from "../delivery/inbox-entry.js";
import type { DeliverySink, SessionLog } from "../delivery/inbox-follower.js";
import type { DeviceLinker } from "../devices/device-linker.js";
import type { PresenceWatch } from "../presence/presence-watch.js";
import { CloseCode, ConnectionClosingError, EdgeOverloaded, RequestError } from "../errors.js";
import { decodeClientFrame, decodeHello, encodeFrame } from "./codec.js";
import type { DeviceRegistry } from "./device-registry.js";
import type { ClientFrame, ServerFrame } from "./frames.js";
import { RequestBudget } from "./request-budget.js";
import {
  connects,
  disconnects,
  framesIn,
  framesOut,
  openConnections,
  sends,
} from "../telemetry/edge-metrics.js";
import { TokenBucket } from "./token-bucket.js";
import type { TurnCork } from "./turn-cork.js";

export interface ConnectionLimits {
  helloTimeoutMs: number;
  heartbeatMs: number;
  maxFrameBytes: number;
  maxBodyBytes: number;
  /** Most user ids a create_group or add_members frame may list. */
  maxUserIds: number;
  maxBufferedBytes: number;
  sendsPerSecond: number;
  sendBurst: number;
  /** Most user ids a watch_presence frame may list. */
  maxWatchedUsers: number;
  /** typing frames per second (also the burst); the excess is dropped. */
  typingPerSecond: number;
}

/** Answers the requests of an authenticated connection (send, ack, ...). */
export interface RequestHandler {
  handle(conn: Connection, frame: ClientFrame): Promise<void>;
}

/** What a connection needs from the rest of the edge. */
export interface ConnectionContext {
  limits: ConnectionLimits;
  authenticate(token: string): Promise<Authenticated>;
  registry: DeviceRegistry<Connection>;
  devices: Pick<DeviceLinker, "admit">;
  delivery: DeliveryHub;
  requests: RequestHandler;
}

type State = "awaiting_hello" | "authenticating" | "open" | "closed";

/**
 * While catching up, wait for the send buffer to fall below this: far below
 * the slow-consumer limit, so one more frame never crosses it.
 */
const LOW_WATER_BYTES = 64 * 1024;
const MAX_EARLY_FRAMES = 32;
/** Requests that reach another service or NATS: each takes a token before it is handled. */
const REQUESTS: ReadonlySet<string> = new Set<ClientFrame["type"]>([
  "send",
  "history",
  "devices",
  "unlink_device",
  "create_group",
  "add_members",
  "remove_member",
  "leave_group",
  "get_conversation",
  "list_members",
  "list_conversations",
  "read",
  "watch_presence",
]);
/** Close code for "the server failed, try again" (RFC 6455). */
const INTERNAL_ERROR = 1011;

/**
 * A refused send's reason in metrics: the catalogue code, or `overloaded`
 * for one the edge shed without forwarding (not a backend failure).
 */
function refusalReason(err: unknown): string {
  if (err instanceof EdgeOverloaded) return "overloaded";
  return err instanceof ParleyError ? err.code : ErrorCode.Internal;
}

/** Close codes a metric label may carry; a client may close with any of 3000 to 4999. */
const KNOWN_CLOSE_CODES: ReadonlySet<number> = new Set([
  1000,
  1001,
  1005,
  1006,
  1009,
  INTERNAL_ERROR,
  ...Object.values(CloseCode),
]);

function closeCodeLabel(code: number): string {
  return KNOWN_CLOSE_CODES.has(code) ? String(code) : "other";
}

function startPushSpan(trace: Context): Span {
  return parleyTracer().startSpan("push", { kind: SpanKind.PRODUCER }, trace);
}

/**
 * One client WebSocket: the hello handshake, frame dispatch, the send buffer
 * limit and the heartbeat flag. A failed request is answered with an error
 * frame and the socket stays; a broken contract closes it with a code.
 */
export class Connection implements DeliverySink, SessionLog {
  private state: State = "awaiting_hello";
  private helloTimer: NodeJS.Timeout | undefined;
  private early: { data: RawData; isBinary: boolean }[] = [];
  private session: DeviceSession | undefined;
  private alive = true;
  /** When the hello's token expires; checked at each heartbeat. */
  private expiresAtMs = Number.POSITIVE_INFINITY;
  private logger: Logger | undefined;
  /** Resolved by drained() once the send buffer is below the low-water mark. */
  private drainWaiters: (() => void)[] = [];
  private readonly lowWater: number;
  identity: Identity | undefined;
  /** Made on the first request: most connections stay idle. */
  private requestBudget: RequestBudget | undefined;
  /** Made on first use: most connections never watch or type. */
  private watch: PresenceWatch | undefined;
  private typingBucket: TokenBucket | undefined;
  /** Sends of this connection waiting for a slot (see pauseReading). */
  private pauses = 0;

  constructor(
    readonly id: string,
    private readonly ws: WebSocket,
    private readonly ctx: ConnectionContext,
    private readonly baseLog: Logger,
    /** The socket under `ws`, whose writes `cork` holds to the end of a turn. */
    private readonly socket: Duplex,
    private readonly cork: TurnCork,
  ) {
    const { limits } = ctx;
    this.lowWater = Math.min(LOW_WATER_BYTES, limits.maxBufferedBytes / 4);
    this.helloTimer = setTimeout(
      () => this.close(CloseCode.HelloTimeout, "no hello in time"),
      limits.helloTimeoutMs,
    );
    ws.on("message", (data, isBinary) => this.onMessage(data, isBinary));
    ws.on("pong", () => (this.alive = true));
    connects.add(1);
    openConnections.add(1);
    ws.on("close", (code) => {
      openConnections.add(-1);
      disconnects.add(1, { close_code: closeCodeLabel(code) });
      this.cleanup();
    });
    ws.on("error", (err) => this.logAt("debug")?.debug({ err }, "socket error"));
  }

  /**
   * This connection's logger (conn_id, user_id, device_id), made on first
   * use: a pino child costs a few KB and most idle sockets never log.
   */
  get log(): Logger {
    const id = this.identity;
    this.logger ??= this.baseLog.child(
      id ? { conn_id: this.id, user_id: id.userId, device_id: id.deviceId } : { conn_id: this.id },
    );
    return this.logger;
  }

  /** The connection's logger when `level` is on, without making it otherwise. */
  logAt(level: "debug" | "warn"): Logger | undefined {
    return this.baseLog.isLevelEnabled(level) ? this.log : undefined;
  }

  /** The delivery session; defined once the connection is open. */
  get deviceSession(): DeviceSession {
    if (!this.session) throw new ParleyError(ErrorCode.Internal, "connection is not open");
    return this.session;
  }

  /** The connection's watch set, made by `make` on the first call. */
  presenceWatch(make: () => PresenceWatch): PresenceWatch {
    this.watch ??= make();
    return this.watch;
  }

  /**
   * Stops reading the socket until as many resumeReading calls: a send of
   * this connection waits for a slot at svc-delivery, and its later frames
   * wait in the client's socket buffers, costing the edge nothing. Frames
   * ws had already read still arrive. Waits are short (the edge's sends in
   * progress answer in milliseconds to seconds); a pause longer than two
   * heartbeats would miss the pongs and drop the connection.
   */
  pauseReading(): void {
    if (this.pauses++ === 0) this.ws.pause();
  }

  resumeReading(): void {
    if (--this.pauses === 0) this.ws.resume();
  }

  private get budget(): RequestBudget {
    const { sendsPerSecond, sendBurst } = this.ctx.limits;
    this.requestBudget ??= new RequestBudget(sendsPerSecond, sendBurst);
    return this.requestBudget;
  }

  /** Takes a token from the connection's typing budget (its own, not the requests'). */
  takeTypingToken(): boolean {
    const rate = this.ctx.limits.typingPerSecond;
    this.typingBucket ??= new TokenBucket(rate, rate);
    return this.typingBucket.take();
  }

  /**
   * Sends a frame. A socket whose unsent bytes exceed the limit is a slow
   * consumer: it is closed rather than allowed to grow without bound.
   */
  send(frame: ServerFrame | string): void {
    if (this.state === "closed") return;
    // Pre-encoded frames are counted where they are made (deliver, ephemeral).
    if (typeof frame !== "string") framesOut.add(1, { type: frame.type });
    this.cork.hold(this.socket);
    this.ws.send(typeof frame === "string" ? frame : encodeFrame(frame), this.onWritten);
    // A big turn goes out now: only what the client has not read may count
    // toward the slow-consumer limit (and the low-water mark of catch-up).
    if (this.ws.bufferedAmount > this.lowWater) this.cork.release(this.socket);
    if (this.ws.bufferedAmount > this.ctx.limits.maxBufferedBytes) {
      this.log.warn({ buffered_bytes: this.ws.bufferedAmount }, "slow consumer");
      this.close(CloseCode.SlowConsumer, "slow consumer: send buffer over limit");
    }
  }

  /** Answers a failed request with an error frame; unexpected errors stay in the logs. */
  fail(err: unknown, requestId?: string): void {
    if (err instanceof ConnectionClosingError) return this.close(err.code, err.reason);
    if (this.requestBudget?.exhausted === true) {
      return this.close(CloseCode.TooManyRequests, "too many refused requests");
    }
    const id = err instanceof RequestError ? (err.requestId ?? requestId) : requestId;
    let code: string = ErrorCode.Internal;
    let reason = "internal error";
    if (err instanceof ParleyError && err.code !== ErrorCode.Internal) {
      ({ code, message: reason } = err);
      if (code === ErrorCode.Unavailable && !(err instanceof EdgeOverloaded)) {
        this.log.warn({ err, request_id: id }, "request failed");
      }
    } else {
      this.log.error({ err, request_id: id }, "request failed");
    }
    this.send({ type: "error", ...(id === undefined ? {} : { id }), code, reason });
  }

  /** Ends the connection with a close code; idempotent. */
  close(code: number, reason: string): void {
    if (this.state === "closed") return;
    this.logAt("debug")?.debug({ close_code: code, reason }, "closing");
    this.cleanup();
    this.ws.close(code, reason);
  }

  /** Pushed out by a newer connection of the same device. */
  replace(): void {
    this.close(CloseCode.Replaced, "replaced by a newer connection of this device");
  }

  /** Its device was unlinked (by one of the user's devices). */
  unlinked(): void {
    this.close(CloseCode.DeviceForbidden, "device unlinked");
  }

  /**
   * One heartbeat tick: drops the peer if it did not pong since the last
   * one, and closes the connection once its token expired (so expiry is
   * enforced within a heartbeat interval, with no timer per socket).
   */
  heartbeat(now: number): void {
    if (now >= this.expiresAtMs) return this.close(CloseCode.Unauthenticated, "token expired");
    if (!this.alive) {
      this.logAt("debug")?.debug("heartbeat missed, terminating");
      this.cleanup();
      this.ws.terminate();
      return;
    }
    this.alive = false;
    this.ws.ping();
  }

  // DeliverySink

  deliver(entry: InboxEntry, live: boolean): boolean {
    // Skipped, yet counted as delivered: the device's next ack covers it.
    const id = this.identity;
    if (id && entry.sentBy(id.userId, id.deviceId)) return true;
    const frame = entry.frame();
    if (frame && !this.isClosed()) {
      // A sampled message's trace ends here, in a span of its own per device.
      const push = entry.trace && startPushSpan(entry.trace);
      this.send(frame);
      push?.end();
      framesOut.add(1, { type: entry.event?.receipt ? "receipt" : "message" });
      this.session?.trackForReceipt(entry, live);
    }
    return this.ws.bufferedAmount <= this.lowWater;
  }

  caughtUp(inboxSeq: number): void {
    this.send({ type: "caught_up", inbox_seq: inboxSeq });
  }

  /**
   * Ephemeral frames are dropped rather than queued behind a backlog: a
   * typing indicator that arrives late is wrong anyway.
   */
  ephemeral(frame: string): void {
    if (this.ws.bufferedAmount > this.lowWater) return;
    this.send(frame);
    framesOut.add(1, { type: "ephemeral" });
  }

  drained(): Promise<void> {
    if (this.isClosed() || this.ws.bufferedAmount <= this.lowWater) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /**
   * ws calls this once a frame was handed to the kernel (or failed on a
   * closing socket), so while the buffer is above the mark some frame's
   * callback is still to come: drained() needs no timer.
   */
  private readonly onWritten = (): void => {
    if (this.drainWaiters.length === 0) return;
    if (!this.isClosed() && this.ws.bufferedAmount > this.lowWater) return;
    for (const resolve of this.drainWaiters.splice(0)) resolve();
  };

  private onMessage(data: RawData, isBinary: boolean): void {
    this.alive = true;
    if (this.state === "awaiting_hello") return void this.onHello(data, isBinary);
    if (this.state === "authenticating") return this.hold(data, isBinary);
    if (this.state !== "open") return;
    if (isBinary)
      return this.fail(this.charge(RequestError.invalid("binary frames are not supported")));
    void this.onFrame(data.toString());
  }

  /** Frames sent right after the hello wait for the welcome, in order. */
  private hold(data: RawData, isBinary: boolean): void {
    if (this.early.length >= MAX_EARLY_FRAMES) {
      return this.close(CloseCode.ProtocolViolation, "too many frames before welcome");
    }
    this.early.push({ data, isBinary });
  }

  /**
   * Handles one frame of an open connection. A frame pays at most one
   * token: a request when it starts, any other frame when it is answered
   * with an error (so garbage is rate limited like requests).
   */
  private async onFrame(text: string): Promise<void> {
    let frame: ClientFrame | undefined;
    let paid = false;
    try {
      frame = decodeClientFrame(text, this.ctx.limits);
      framesIn.add(1, { type: frame.type });
      if (REQUESTS.has(frame.type)) {
        paid = true;
        this.takeToken(frame);
      }
      await this.ctx.requests.handle(this, frame);
      if (frame.type === "send") sends.add(1, { result: "accepted" });
    } catch (err) {
      if (!frame) framesIn.add(1, { type: "invalid" });
      const refusal = paid ? err : this.charge(err);
      if (frame?.type === "send") {
        sends.add(1, { result: "refused", reason: refusalReason(refusal) });
      }
      this.fail(refusal, frame && "id" in frame ? frame.id : undefined);
    }
  }

  private takeToken(frame: ClientFrame): void {
    if (this.budget.take()) return;
    const id = "id" in frame ? frame.id : undefined;
    throw new RequestError(ErrorCode.RateLimited, "too many requests, slow down", id);
  }

  /** A client's failed frame costs a token; without one it is refused instead. */
  private charge(err: unknown): unknown {
    if (!(err instanceof RequestError) || this.budget.take()) return err;
    return new RequestError(
      ErrorCode.RateLimited,
      "too many failed requests, slow down",
      err.requestId,
    );
  }

  private async onHello(data: RawData, isBinary: boolean): Promise<void> {
    clearTimeout(this.helloTimer);
    // Dropped, not kept for the socket's life: a timer object per idle socket.
    this.helloTimer = undefined;
    framesIn.add(1, { type: "hello" });
    this.state = "authenticating";
    try {
      const { token } = decodeHello(isBinary ? undefined : data.toString());
      const { expiresAtMs, ...identity } = await this.authenticate(token);
      if (this.isClosed()) return;
      this.expiresAtMs = expiresAtMs;
      await this.open(identity);
    } catch (err) {
      if (err instanceof ConnectionClosingError) this.close(err.code, err.reason);
      else {
        this.log.error({ err }, "session start failed");
        this.close(INTERNAL_ERROR, "session could not start, try again");
      }
    }
  }

  private async authenticate(token: string): Promise<Authenticated> {
    try {
      return await this.ctx.authenticate(token);
    } catch (err) {
      const reason = err instanceof ParleyError ? err.message : "token invalid";
      throw new ConnectionClosingError(CloseCode.Unauthenticated, reason, { cause: err });
    }
  }

  private async open(identity: Identity): Promise<void> {
    const { limits, registry, delivery, devices } = this.ctx;
    this.identity = identity;
    this.logger = undefined;
    // Before the claim: a refused device must not push out anything.
    await devices.admit(identity);
    if (this.isClosed()) return;
    // Claim first: the replaced session starts writing its cursor before
    // this one reads it.
    registry.claim(this.deviceKey(), this);
    this.session = delivery.open(identity, this, this);
    this.state = "open";
    this.send({
      type: "welcome",
      user_id: identity.userId,
      device_id: identity.deviceId,
      conn_id: this.id,
      heartbeat_ms: limits.heartbeatMs,
      max_frame_bytes: limits.maxFrameBytes,
      max_body_bytes: limits.maxBodyBytes,
      sends_per_second: limits.sendsPerSecond,
      send_burst: limits.sendBurst,
    });
    this.logAt("debug")?.debug("session open");
    for (const { data, isBinary } of this.early.splice(0)) this.onMessage(data, isBinary);
    await this.session.start();
  }

  private cleanup(): void {
    if (this.state === "closed") return;
    this.state = "closed";
    clearTimeout(this.helloTimer);
    this.early = [];
    for (const resolve of this.drainWaiters.splice(0)) resolve();
    if (this.identity) this.ctx.registry.release(this.deviceKey(), this);
    this.watch?.close();
    void this.session?.close().catch((err) => this.log.warn({ err }, "cursor flush failed"));
  }

  /** The same key as the device's cursor (Topology.cursorKey). */
  private deviceKey(): string {
    return `${this.identity?.userId}.${this.identity?.deviceId}`;
  }

  // A method, so TypeScript does not narrow `state` across awaits.
  private isClosed(): boolean {
    return this.state === "closed";
  }
}
