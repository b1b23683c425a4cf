import { status as GrpcStatus } from "@grpc/grpc-js";

/**
 * The catalogue of failures a caller may see. Each code maps once to a gRPC
 * status; the edge maps it to an error frame. Internal detail stays in the
 * logs: callers see the code and a reason meant for them.
 */
export const ErrorCode = {
  InvalidArgument: "invalid_argument",
  PermissionDenied: "permission_denied",
  NotFound: "not_found",
  FailedPrecondition: "failed_precondition",
  Unauthenticated: "unauthenticated",
  RateLimited: "rate_limited",
  Unavailable: "unavailable",
  Internal: "internal",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const toGrpc: Record<ErrorCode, GrpcStatus> = {
  invalid_argument: GrpcStatus.INVALID_ARGUMENT,
  permission_denied: GrpcStatus.PERMISSION_DENIED,
  not_found: GrpcStatus.NOT_FOUND,
  failed_precondition: GrpcStatus.FAILED_PRECONDITION,
  unauthenticated: GrpcStatus.UNAUTHENTICATED,
  rate_limited: GrpcStatus.RESOURCE_EXHAUSTED,
  unavailable: GrpcStatus.UNAVAILABLE,
  internal: GrpcStatus.INTERNAL,
};

/** A failure with a code from the catalogue and a reason for the caller. */
export class ParleyError extends Error {
  override name = "ParleyError";
  readonly code: ErrorCode;

  constructor(code: ErrorCode, reason: string, options?: ErrorOptions) {
    super(reason, options);
    this.code = code;
  }

  static invalid(reason: string): ParleyError {
    return new ParleyError(ErrorCode.InvalidArgument, reason);
  }

  static denied(reason: string): ParleyError {
    return new ParleyError(ErrorCode.PermissionDenied, reason);
  }

  static unavailable(reason: string, cause?: unknown): ParleyError {
    return new ParleyError(ErrorCode.Unavailable, reason, { cause });
  }
}

/** Whether a string (from the wire) is a code of the catalogue. */
export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(toGrpc, value);
}

export function grpcStatusOf(code: ErrorCode): GrpcStatus {
  return toGrpc[code];
}
