import { status as GrpcStatus, type ServiceError } from "@grpc/grpc-js";
import { context, trace, TraceFlags, type Context } from "@opentelemetry/api";
import { callUnary, ErrorCode, isErrorCode, ParleyError, type Logger } from "@parley/common";
import type {
  DeliveryServiceClient,
  SendMessageRequest,
  SendMessageResponse,
  SendResult,
} from "@parley/proto/parley/delivery/v1/delivery";

/** Most sends in one SendMessages call (svc-delivery takes up to 1,000). */
const MAX_BATCH_SENDS = 256;
/**
 * Most bytes of bodies in one call, far under gRPC's 4 MiB message limit:
 * a call over it would fail every send in it.
 */
const MAX_BATCH_BYTES = 1024 * 1024;
/** Ids, flags and framing of one send, on top of its body. */
const SEND_OVERHEAD_BYTES = 512;
/** After svc-delivery answered UNIMPLEMENTED, how long sends go one call each. */
const UNBATCHED_MS = 60_000;

interface Pending {
  request: SendMessageRequest;
  resolve(answer: SendMessageResponse): void;
  reject(err: Error): void;
  /** Set for a send that goes in a call of its own: the context to call in. */
  alone: Context | undefined;
}

/**
 * Sends asked for during one turn of the event loop go to svc-delivery in
 * one SendMessages call. A call per send cost the edge an HTTP/2 stream,
 * its headers and trailers each, on both sides: under load, thousands a
 * second. Each send still gets its own answer or error.
 *
 * Some sends go in a call of their own, issued in their turn's order
 * (calls run side by side, as the sends of one call do): a sampled one (its
 * trace must show its own call), and a retry or a send with media (each
 * reads another store first, and every send of a call waits for the
 * slowest).
 *
 * Against a svc-delivery older than SendMessages (UNIMPLEMENTED, as in a
 * rolling deploy that reaches the edges first), sends go one call each for
 * a minute, then batching is tried again.
 */
export class SendBatches {
  private queued: Pending[] = [];
  private scheduled = false;
  private unbatchedUntil = 0;

  constructor(
    private readonly client: DeliveryServiceClient,
    private readonly deadlineMs: number,
    private readonly log: Logger,
  ) {}

  send(request: SendMessageRequest): Promise<SendMessageResponse> {
    const alone = isSampled() || request.retry || request.mediaId !== "";
    if (!this.scheduled && Date.now() < this.unbatchedUntil) return this.sendOne(request);
    return new Promise((resolve, reject) => {
      this.queued.push({ request, resolve, reject, alone: alone ? context.active() : undefined });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private sendOne(request: SendMessageRequest): Promise<SendMessageResponse> {
    return callUnary(this.client, this.client.sendMessage, request, this.deadlineMs);
  }

  /** Issues the turn's calls in the order their sends came. */
  private flush(): void {
    this.scheduled = false;
    const queued = this.queued;
    this.queued = [];
    let batch: Pending[] = [];
    let bytes = 0;
    for (const p of queued) {
      if (p.alone) {
        if (batch.length > 0) void this.call(batch);
        batch = [];
        bytes = 0;
        context.with(p.alone, () => this.sendOne(p.request)).then(p.resolve, p.reject);
        continue;
      }
      const size = Buffer.byteLength(p.request.body) + SEND_OVERHEAD_BYTES;
      if (
        batch.length === MAX_BATCH_SENDS ||
        (batch.length > 0 && bytes + size > MAX_BATCH_BYTES)
      ) {
        void this.call(batch);
        batch = [];
        bytes = 0;
      }
      batch.push(p);
      bytes += size;
    }
    if (batch.length > 0) void this.call(batch);
  }

  private async call(batch: Pending[]): Promise<void> {
    const sends = batch.map((p) => p.request);
    let results: SendResult[];
    try {
      ({ results } = await callUnary(
        this.client,
        this.client.sendMessages,
        { sends },
        this.deadlineMs,
      ));
    } catch (err) {
      if (isUnimplemented(err)) {
        if (Date.now() >= this.unbatchedUntil) {
          this.log.warn("svc-delivery has no SendMessages: sending one call per send for a minute");
        }
        this.unbatchedUntil = Date.now() + UNBATCHED_MS;
        for (const p of batch) this.sendOne(p.request).then(p.resolve, p.reject);
        return;
      }
      // The whole call failed (deadline, connection): any send may have
      // been accepted, so each is told to retry as a single call would be.
      for (const p of batch) p.reject(err as Error);
      return;
    }
    batch.forEach((p, i) => {
      const result = results[i];
      if (result?.errorCode === "" && result.sent) p.resolve(result.sent);
      else p.reject(resultError(result));
    });
  }
}

function isSampled(): boolean {
  const flags = trace.getSpanContext(context.active())?.traceFlags ?? TraceFlags.NONE;
  return (flags & TraceFlags.SAMPLED) !== 0;
}

function resultError(result: SendResult | undefined): ParleyError {
  // The send may have been stored: retrying it with its id is safe.
  if (!result) return ParleyError.unavailable("svc-delivery answered no result for the send");
  const code = isErrorCode(result.errorCode) ? result.errorCode : ErrorCode.Internal;
  return new ParleyError(code, result.errorReason || "internal error");
}

function isUnimplemented(err: unknown): boolean {
  const cause = err instanceof ParleyError ? (err.cause as ServiceError | undefined) : undefined;
  return cause?.code === GrpcStatus.UNIMPLEMENTED;
}
