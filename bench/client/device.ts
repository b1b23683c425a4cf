// One device of a load client: a WebSocket session speaking the Parley
// protocol (docs/protocol.md). It says hello, acks what arrives on a short
// timer (cumulatively, as the protocol suggests), and hands every frame of
// interest to the worker.
import WebSocket from "ws";

export type Frame = Record<string, unknown> & { type: string };

export interface ReceivedMessage {
  from: string;
  client_id: string;
  body?: string;
  membership?: unknown;
}

/** What a device tells the worker that owns it. */
export interface DeviceEvents {
  message(device: Device, message: ReceivedMessage): void;
  sent(device: Device, id: string): void;
  /** An error frame answering request `id`. */
  failed(device: Device, id: string, code: string): void;
  closed(device: Device, code: number, reason: string): void;
}

/** What the worker needs of a device, whatever carries it. */
export interface Device {
  readonly user: string;
  send(frame: Frame): void;
  request(frame: Frame & { id: string }): Promise<Frame>;
  /** Acks what arrived, then closes; resolves once closed. */
  close(): Promise<void>;
  /** Drops the connection without a close handshake. */
  terminate(): void;
  /** Sends the pending cumulative ack, if any. */
  flushAck(): void;
}

export interface WsDeviceOptions {
  url: string;
  user: string;
  token: string;
  localAddress?: string;
  /** How long connect + hello + catch-up may take. */
  timeoutMs?: number;
}

export class WsDevice implements Device {
  readonly user: string;
  private lastInboxSeq = 0;
  private ackedInboxSeq = 0;
  private readonly pending = new Map<string, (frame: Frame) => void>();
  private closing = false;

  private constructor(
    private readonly ws: WebSocket,
    user: string,
    private readonly events: DeviceEvents,
  ) {
    this.user = user;
  }

  /** Connects, says hello and resolves once the device is caught up. */
  static open(options: WsDeviceOptions, events: DeviceEvents): Promise<WsDevice> {
    const ws = new WebSocket(options.url, {
      localAddress: options.localAddress,
      perMessageDeflate: false,
    });
    const device = new WsDevice(ws, options.user, events);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error(`${options.user}: not caught up after ${options.timeoutMs ?? 60_000} ms`));
      }, options.timeoutMs ?? 60_000);
      const fail = (err: Error) => {
        clearTimeout(timer);
        reject(err);
      };
      ws.once("error", fail);
      ws.once("close", (code, reason) => fail(new Error(`closed ${code} ${String(reason)}`)));
      ws.once("open", () => ws.send(JSON.stringify({ type: "hello", token: options.token })));
      ws.on("message", (data) => {
        const frame = JSON.parse(String(data)) as Frame;
        if (frame.type === "caught_up") {
          clearTimeout(timer);
          ws.removeAllListeners("error");
          ws.removeAllListeners("close");
          ws.on("error", () => {});
          ws.on("close", (code, reason) => device.onClose(code, String(reason)));
          resolve(device);
        }
        device.onFrame(frame);
      });
    });
  }

  send(frame: Frame): void {
    this.ws.send(JSON.stringify(frame));
  }

  request(frame: Frame & { id: string }): Promise<Frame> {
    return new Promise((resolve) => {
      this.pending.set(frame.id, resolve);
      this.send(frame);
    });
  }

  flushAck(): void {
    if (this.lastInboxSeq <= this.ackedInboxSeq || this.ws.readyState !== WebSocket.OPEN) return;
    this.ackedInboxSeq = this.lastInboxSeq;
    this.send({ type: "ack", inbox_seq: this.lastInboxSeq });
  }

  close(): Promise<void> {
    this.closing = true;
    this.flushAck();
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      this.ws.once("close", () => resolve());
      this.ws.close(1000);
    });
  }

  terminate(): void {
    this.closing = true;
    this.ws.terminate();
  }

  private onFrame(frame: Frame): void {
    const waiting = typeof frame.id === "string" ? this.pending.get(frame.id) : undefined;
    if (waiting) {
      this.pending.delete(frame.id as string);
      return waiting(frame);
    }
    switch (frame.type) {
      case "message":
        this.lastInboxSeq = frame.inbox_seq as number;
        this.events.message(this, frame.message as ReceivedMessage);
        return;
      case "receipt":
        this.lastInboxSeq = frame.inbox_seq as number;
        return;
      case "sent":
        this.events.sent(this, frame.id as string);
        return;
      case "error":
        this.events.failed(this, frame.id as string, frame.code as string);
        return;
    }
  }

  private onClose(code: number, reason: string): void {
    if (!this.closing) this.events.closed(this, code, reason);
  }
}
