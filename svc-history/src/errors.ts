/**
 * A conversation log entry that can never be stored: its payload does not
 * decode as a ConversationEvent, or it lacks what a stored message needs.
 * Retrying cannot help, so such entries are terminated, not redelivered.
 */
export class UnreadableEntryError extends Error {
  override name = "UnreadableEntryError";

  constructor(
    readonly streamSeq: number,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`log entry ${streamSeq}: ${reason}`, options);
  }
}
