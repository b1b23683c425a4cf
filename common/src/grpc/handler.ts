import {
  Metadata,
  type sendUnaryData,
  type ServerErrorResponse,
  type ServerUnaryCall,
  type ServerWritableStream,
} from "@grpc/grpc-js";
import type { Logger } from "pino";
import { ErrorCode, grpcStatusOf, ParleyError } from "../errors.js";
import { parleyMeter } from "../telemetry/instruments.js";

/**
 * Server-side call latency by method and status: the semantic conventions'
 * rpc.server.duration. Made on first use, after telemetry started.
 */
let serverDuration: ReturnType<ReturnType<typeof parleyMeter>["createHistogram"]> | undefined;

function recordCall(method: string, code: number, startedAt: number): void {
  serverDuration ??= parleyMeter().createHistogram("rpc.server.duration", {
    description: "Time a gRPC call took in the server, from request to answer.",
    unit: "ms",
  });
  serverDuration.record(performance.now() - startedAt, {
    "rpc.system": "grpc",
    "rpc.method": method,
    "rpc.grpc.status_code": code,
  });
}

/**
 * Wraps an async unary handler: the one place where failures become gRPC
 * statuses. A ParleyError keeps its code and reason; anything else is logged
 * and answered as INTERNAL without detail.
 */
export function unary<Req, Res>(
  method: string,
  log: Logger,
  handler: (request: Req, call: ServerUnaryCall<Req, Res>) => Promise<Res>,
) {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
    const startedAt = performance.now();
    handler(call.request, call).then(
      (response) => {
        recordCall(method, 0, startedAt);
        callback(null, response);
      },
      (err: unknown) => {
        const error = toServiceError(method, err, log);
        recordCall(method, error.code ?? 2, startedAt);
        callback(error);
      },
    );
  };
}

/**
 * Ends a server stream with the status of `err`, by the same rules as
 * `unary` (grpc-js turns an "error" event on a server stream into its
 * status).
 */
export function failStream<Req, Res>(
  call: ServerWritableStream<Req, Res>,
  method: string,
  err: unknown,
  log: Logger,
): void {
  call.emit("error", toServiceError(method, err, log));
}

/** Metadata key carrying the catalogue code of a status a handler chose. */
export const ERROR_CODE_METADATA = "parley-error-code";

/**
 * What a caller is told of a failure: a ParleyError's code and reason, or
 * internal without detail for anything else. `ours` marks failures the
 * caller cannot fix (internal, unavailable, anything unexpected): they
 * belong in the service's log. Used for a whole call's status and for one
 * item's result in a batch call.
 */
export function describeFailure(err: unknown): { code: ErrorCode; reason: string; ours: boolean } {
  const known = err instanceof ParleyError ? err : undefined;
  const code = known?.code ?? ErrorCode.Internal;
  const ours = !known || code === ErrorCode.Internal || code === ErrorCode.Unavailable;
  return { code, reason: known ? known.message : "internal error", ours };
}

function toServiceError(method: string, err: unknown, log: Logger): ServerErrorResponse {
  const { code, reason, ours } = describeFailure(err);
  if (ours) log.error({ method, err }, "grpc call failed");
  const metadata = new Metadata();
  metadata.set(ERROR_CODE_METADATA, code);
  return {
    name: "ParleyError",
    message: reason,
    code: grpcStatusOf(code),
    details: reason,
    metadata,
  };
}
