import {
  credentials,
  Metadata,
  status as GrpcStatus,
  type CallOptions,
  type ChannelCredentials,
  type Client,
  type ServiceError,
} from "@grpc/grpc-js";
import { ErrorCode, isErrorCode, ParleyError } from "../errors.js";
import { ERROR_CODE_METADATA } from "./handler.js";

/** A ts-proto generated client constructor. */
export type ClientConstructor<C extends Client> = new (
  address: string,
  creds: ChannelCredentials,
  options?: Record<string, unknown>,
) => C;

/**
 * Creates a client whose channel reconnects in the background, so a restart
 * of the callee shows up as UNAVAILABLE on calls, not as a crash.
 */
export function createClient<C extends Client>(ctor: ClientConstructor<C>, address: string): C {
  return new ctor(address, credentials.createInsecure(), {
    "grpc.keepalive_time_ms": 30_000,
    "grpc.initial_reconnect_backoff_ms": 200,
    "grpc.max_reconnect_backoff_ms": 2_000,
  });
}

/** The callback form of a ts-proto unary method. */
export type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (err: ServiceError | null, response: Res) => void,
) => unknown;

/**
 * Calls a unary method with a deadline and turns a failed status into a
 * ParleyError carrying the catalogue code and the callee's reason.
 */
export function callUnary<Req, Res>(
  client: Client,
  method: UnaryMethod<Req, Res>,
  request: Req,
  deadlineMs: number,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    const options = { deadline: Date.now() + deadlineMs };
    method.call(client, request, new Metadata(), options, (err, response) => {
      if (err) reject(toParleyError(err));
      else resolve(response);
    });
  });
}

/**
 * Only a status the callee's handler chose (it carries the catalogue code
 * in metadata) passes its reason on. Anything else comes from the transport
 * (deadline, cancellation, no connection, message too large) and is told
 * apart only as retryable or not, without grpc-js's internal detail.
 */
function toParleyError(err: ServiceError): ParleyError {
  const chosen = err.metadata?.get(ERROR_CODE_METADATA)[0];
  if (typeof chosen === "string" && isErrorCode(chosen)) {
    return new ParleyError(chosen, err.details, { cause: err });
  }
  const transient =
    [GrpcStatus.UNAVAILABLE, GrpcStatus.DEADLINE_EXCEEDED, GrpcStatus.CANCELLED].includes(
      err.code,
    ) || isResetStream(err);
  return transient
    ? ParleyError.unavailable("a service did not answer in time; retry", err)
    : new ParleyError(ErrorCode.Internal, "internal error", { cause: err });
}

/**
 * INTERNAL because the HTTP/2 stream was reset (a session torn down under
 * load): the callee may or may not have acted, so the caller retries, as
 * after a deadline. Other INTERNAL statuses without a chosen code (a
 * request or answer that cannot be decoded) fail the same way every time
 * and stay internal.
 */
function isResetStream(err: ServiceError): boolean {
  return err.code === GrpcStatus.INTERNAL && err.details.startsWith("Received RST_STREAM");
}
