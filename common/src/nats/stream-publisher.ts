import {
  createInbox,
  headers as natsHeaders,
  type Msg,
  type MsgHdrs,
  type NatsConnection,
  type Subscription,
} from "@nats-io/transport-node";

/** What JetStream answered for a stored publish. */
export interface StreamAck {
  stream: string;
  seq: number;
  /** True when the message id was seen within the stream's duplicate window. */
  duplicate: boolean;
}

export interface StreamPublishOptions {
  /** The JetStream message id (`Nats-Msg-Id`): a repeat within the window is stored once. */
  msgID?: string;
  headers?: MsgHdrs;
}

/** A publish JetStream refused, did not answer in time, or that no stream takes. */
export class StreamPublishError extends Error {
  override name = "StreamPublishError";
}

interface Waiting {
  resolve(ack: StreamAck): void;
  reject(err: Error): void;
  deadline: number;
}

interface Queued {
  subject: string;
  data: Uint8Array;
  headers: MsgHdrs | undefined;
  token: string;
}

/** How often publishes past their deadline are failed. */
const SWEEP_MS = 50;

/**
 * Publishes to JetStream streams with the acks collected on one
 * subscription, instead of nats.js's `js.publish`, which makes each publish
 * a request of its own (a reply registration, a timer, and error objects
 * with stack traces built on every success). Publishes asked for during
 * one turn of the event loop leave together in one socket write: under
 * load the send path and fanout issue thousands a second, and a write per
 * publish was the largest single cost of svc-delivery.
 *
 * An ack that never comes (NATS restarted, stream gone) fails the publish
 * after `timeoutMs`; the caller retries with the same message id, which the
 * stream's duplicate window turns into the first copy.
 */
export class StreamPublisher {
  private readonly prefix = `${createInbox()}.`;
  private readonly waiting = new Map<string, Waiting>();
  private queued: Queued[] = [];
  private readonly subscription: Subscription;
  private readonly sweeper: NodeJS.Timeout;
  private nextToken = 0;
  private flushScheduled = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly timeoutMs: number,
  ) {
    this.subscription = nc.subscribe(`${this.prefix}*`, {
      callback: (err, msg) => {
        if (!err) this.answered(msg);
      },
    });
    this.sweeper = setInterval(() => this.expire(), SWEEP_MS);
    this.sweeper.unref();
  }

  /** Publishes and resolves with the stream's ack; rejects with a StreamPublishError. */
  publish(
    subject: string,
    data: Uint8Array,
    options: StreamPublishOptions = {},
  ): Promise<StreamAck> {
    let headers = options.headers;
    if (options.msgID !== undefined) {
      headers ??= natsHeaders();
      headers.set("Nats-Msg-Id", options.msgID);
    }
    const token = (this.nextToken++).toString(36);
    return new Promise<StreamAck>((resolve, reject) => {
      this.waiting.set(token, { resolve, reject, deadline: Date.now() + this.timeoutMs });
      this.queued.push({ subject, data, headers, token });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Fails what is still waiting and stops listening for acks. */
  close(): void {
    clearInterval(this.sweeper);
    this.subscription.unsubscribe();
    this.failAll("the publisher was closed");
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queued;
    this.queued = [];
    for (const { subject, data, headers, token } of batch) {
      try {
        this.nc.publish(subject, data, { reply: this.prefix + token, headers });
      } catch (err) {
        // The connection is closed (or closing): nothing more will be sent.
        this.settle(
          token,
          new StreamPublishError(`publish failed: ${String(err)}`, { cause: err }),
        );
      }
    }
  }

  private answered(msg: Msg): void {
    const token = msg.subject.slice(this.prefix.length);
    if (!this.waiting.has(token)) return; // expired already
    // No stream listens on the subject: the server answers 503 at once.
    if (msg.headers?.code === 503) {
      return this.settle(
        token,
        new StreamPublishError(`no stream takes ${msg.headers.description || "the subject"}`),
      );
    }
    let answer: {
      stream?: string;
      seq?: number;
      duplicate?: boolean;
      error?: { code: number; err_code?: number; description?: string };
    };
    try {
      answer = msg.json();
    } catch (err) {
      return this.settle(token, new StreamPublishError("unreadable publish ack", { cause: err }));
    }
    if (answer.error || answer.seq === undefined) {
      const description = answer.error?.description ?? "no sequence in the ack";
      return this.settle(token, new StreamPublishError(`publish refused: ${description}`));
    }
    this.settle(token, {
      stream: answer.stream ?? "",
      seq: answer.seq,
      duplicate: answer.duplicate === true,
    });
  }

  private settle(token: string, outcome: StreamAck | Error): void {
    const waiting = this.waiting.get(token);
    if (!waiting) return;
    this.waiting.delete(token);
    if (outcome instanceof Error) waiting.reject(outcome);
    else waiting.resolve(outcome);
  }

  private expire(): void {
    const now = Date.now();
    // Insertion order is publish order and deadlines share one timeout, so
    // the first still-pending entry ends the scan.
    for (const [token, { deadline }] of this.waiting) {
      if (deadline > now) break;
      this.settle(token, new StreamPublishError(`no ack within ${this.timeoutMs} ms`));
    }
  }

  private failAll(reason: string): void {
    for (const token of [...this.waiting.keys()])
      this.settle(token, new StreamPublishError(reason));
  }
}
