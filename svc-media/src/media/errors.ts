import { ErrorCode, ParleyError } from "@parley/common";

/**
 * Unknown media, someone else's, and media the user may not see all answer
 * alike, so ids cannot be probed.
 */
export function mediaNotFound(): ParleyError {
  return new ParleyError(ErrorCode.NotFound, "no such media");
}

export function failedPrecondition(reason: string): ParleyError {
  return new ParleyError(ErrorCode.FailedPrecondition, reason);
}
