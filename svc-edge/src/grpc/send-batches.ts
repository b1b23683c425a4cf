import { status as GrpcStatus, type ServiceError } from "@grpc/grpc-js";
import { callUnary, ErrorCode, isErrorCode, ParleyError } from "@parley/common";
import type {
  DeliveryServiceClient,
  SendMessageRequest,
  SendMessageResponse,
  SendResult,
} from "@parley/proto/parley/delivery/v1/delivery";

/** Most sends in one SendMessages call (svc-delivery takes up to 1,000). */
const MAX_BATCH = 256;

interface Pending {
  request: SendMessageRequest;
  resolve(answer: SendMessageResponse): void;
  reject(err: Error): void;
}

/**
 * Sends asked for during one turn of the event loop go to svc-delivery in
 * one SendMessages call. A call per send cost the edge an HTTP/2 stream,
 * its headers and trailers each, on both sides: under load, thousands a
 * second. Each send still gets its own answer or error.
 *
 * Against a svc-delivery older than SendMessages (UNIMPLEMENTED, as in a
 * rolling deploy that reaches the edges first), the sends go one call each.
 */
export class SendBatches {
  private queued: Pending[] = [];
  private scheduled = false;
  private batching = true;

  constructor(
    private readonly client: DeliveryServiceClient,
    private readonly deadlineMs: number,
  ) {}

  send(request: SendMessageRequest): Promise<SendMessageResponse> {
    if (!this.batching) return this.sendOne(request);
    return new Promise((resolve, reject) => {
      this.queued.push({ request, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** One call, as for a traced send whose trace must follow it alone. */
  sendOne(request: SendMessageRequest): Promise<SendMessageResponse> {
    return callUnary(this.client, this.client.sendMessage, request, this.deadlineMs);
  }

  private flush(): void {
    this.scheduled = false;
    const queued = this.queued;
    this.queued = [];
    for (let i = 0; i < queued.length; i += MAX_BATCH) {
      void this.call(queued.slice(i, i + MAX_BATCH));
    }
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
        this.batching = false;
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

function resultError(result: SendResult | undefined): ParleyError {
  if (!result) return new ParleyError(ErrorCode.Internal, "svc-delivery answered too few results");
  const code = isErrorCode(result.errorCode) ? result.errorCode : ErrorCode.Internal;
  return new ParleyError(code, result.errorReason || "internal error");
}

function isUnimplemented(err: unknown): boolean {
  const cause = err instanceof ParleyError ? (err.cause as ServiceError | undefined) : undefined;
  return cause?.code === GrpcStatus.UNIMPLEMENTED;
}
