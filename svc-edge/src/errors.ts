import { ErrorCode, ParleyError } from "@parley/common";

/**
 * WebSocket close codes the edge uses. A close ends the connection; a
 * failed request is answered with an error frame instead (RequestError).
 */
export const CloseCode = {
  /** The server is shutting down. */
  GoingAway: 1001,
  /** A frame exceeded the size limit (sent by ws itself). */
  TooBig: 1009,
  /** The client could not keep up with what the server had to send. */
  SlowConsumer: 4008,
  /** The first frame was not a valid hello. */
  ProtocolViolation: 4400,
  /** The hello's token was missing, invalid or expired, or expired since. */
  Unauthenticated: 4401,
  /** No hello arrived within the hello timeout. */
  HelloTimeout: 4408,
  /** A newer connection of the same device took over. */
  Replaced: 4409,
  /**
   * The device may not connect: the user has the maximum number of devices
   * linked, or the device was unlinked while connected.
   */
  DeviceForbidden: 4403,
  /** The client went on sending after many rate_limited answers. */
  TooManyRequests: 4429,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/**
 * "This connection must end": thrown where a connection cannot go on, and
 * turned into a close with `code` and `reason` by the connection.
 */
export class ConnectionClosingError extends Error {
  override name = "ConnectionClosingError";

  constructor(
    readonly code: CloseCode,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(reason, options);
  }
}

/**
 * "This request failed": answered with an error frame carrying the request's
 * id (when it had one); the socket stays open.
 */
export class RequestError extends ParleyError {
  override name = "RequestError";

  constructor(
    code: ErrorCode,
    reason: string,
    readonly requestId?: string,
    options?: ErrorOptions,
  ) {
    super(code, reason, options);
  }

  static override invalid(reason: string, requestId?: string): RequestError {
    return new RequestError(ErrorCode.InvalidArgument, reason, requestId);
  }
}

/**
 * A send shed because this edge already has as many in progress as it
 * allows: expected under overload, so answered (unavailable, retry) but
 * not logged one by one.
 */
export class EdgeOverloaded extends RequestError {
  override name = "EdgeOverloaded";

  constructor() {
    super(ErrorCode.Unavailable, "too many sends in progress on this edge, retry");
  }

  /**
   * One made without a stack trace. Past saturation the edge sheds
   * thousands of sends a second and uses only their code and reason;
   * capturing a stack for each took 8 % of its time, time taken from the
   * sends it had accepted.
   */
  static shed(): EdgeOverloaded {
    const depth = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return new EdgeOverloaded();
    } finally {
      Error.stackTraceLimit = depth;
    }
  }
}
