import { RequestError } from "../protocol/errors.js";
import { ErrorCode } from "../protocol/frames.js";

/** How long a conversation just met may be refused for not being stored yet. */
const SETTLE_MS = 10_000;
const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 2_000;

/**
 * Conversations this device met moments ago, whose reads the server may
 * refuse for a while. svc-history stores a 1:1 conversation from the log a
 * moment after its first message, and a group's events can reach members
 * before the group's transaction is visible; until then get_conversation,
 * list_members and history answer `permission_denied`, as for an unknown
 * conversation (docs/protocol.md). Such a refusal is retried quietly until
 * a read succeeds or SETTLE_MS have passed; after that it is real.
 */
export class NewConversations {
  /** conversation id -> when it was met (ms since the epoch). */
  private readonly met = new Map<string, number>();

  /** A conversation appeared (first send, group created, added to one). */
  note(conversationId: string): void {
    if (!this.met.has(conversationId)) this.met.set(conversationId, Date.now());
  }

  /** Runs a read of the conversation, again while it may not be stored yet. */
  async read<T>(conversationId: string, request: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        const answer = await request();
        this.met.delete(conversationId);
        return answer;
      } catch (err) {
        const wait = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** attempt);
        if (!this.settling(conversationId, err, wait)) throw err;
        await new Promise((resolve) => window.setTimeout(resolve, wait));
      }
    }
  }

  /** Whether `err` may only mean "not stored yet", still so after `wait`. */
  private settling(conversationId: string, err: unknown, wait: number): boolean {
    const since = this.met.get(conversationId);
    if (since === undefined) return false;
    if (Date.now() + wait - since > SETTLE_MS) {
      this.met.delete(conversationId);
      return false;
    }
    return err instanceof RequestError && err.code === ErrorCode.PermissionDenied;
  }
}
