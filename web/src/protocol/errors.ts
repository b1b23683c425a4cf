/** A request answered with an error frame; `code` is from ErrorCode. */
export class RequestError extends Error {
  override name = "RequestError";
  constructor(
    readonly code: string,
    reason: string,
  ) {
    super(`${code}: ${reason}`);
  }
}

/** The socket closed before a request was answered: it may or may not have run. */
export class DisconnectedError extends Error {
  override name = "DisconnectedError";
  constructor() {
    super("disconnected before the answer");
  }
}
