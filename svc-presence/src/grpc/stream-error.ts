import { Metadata, type ServerWritableStream } from "@grpc/grpc-js";
import {
  ERROR_CODE_METADATA,
  ErrorCode,
  grpcStatusOf,
  ParleyError,
  type Logger,
} from "@parley/common";

/**
 * Ends a server stream with the status of `err`, as `unary` does for unary
 * calls: a ParleyError keeps its code and reason, anything else is logged
 * and answered as INTERNAL without detail.
 */
export function failStream<Req, Res>(
  call: ServerWritableStream<Req, Res>,
  method: string,
  err: unknown,
  log: Logger,
): void {
  const known = err instanceof ParleyError ? err : undefined;
  const code = known?.code ?? ErrorCode.Internal;
  if (!known || code === ErrorCode.Internal || code === ErrorCode.Unavailable) {
    log.error({ method, err }, "grpc call failed");
  }
  const metadata = new Metadata();
  metadata.set(ERROR_CODE_METADATA, code);
  const reason = known ? known.message : "internal error";
  // grpc-js turns an "error" event on a server stream into its status.
  call.emit("error", {
    name: "ParleyError",
    message: reason,
    code: grpcStatusOf(code),
    details: reason,
    metadata,
  });
}
