import { callUnary, ErrorCode, ParleyError } from "@parley/common";
import type {
  ConversationServiceClient,
  ListMembersRequest,
  ListMembersResponse,
} from "@parley/proto/parley/history/v1/conversations";

/**
 * Asks svc-history, which owns group membership, whether a user is a
 * current member. The user is the reader, so history's own check decides:
 * it refuses a non-member (and an unknown group alike) with
 * PERMISSION_DENIED. Not cached: a removed member loses downloads at once.
 */
export class GroupMembers {
  constructor(
    private readonly client: ConversationServiceClient,
    private readonly timeoutMs: number,
  ) {}

  async isMember(conversationId: string, userId: string): Promise<boolean> {
    try {
      const answer = await callUnary<ListMembersRequest, ListMembersResponse>(
        this.client,
        this.client.listMembers,
        { readerId: userId, conversationId },
        this.timeoutMs,
      );
      return answer.members.some((m) => m.userId === userId);
    } catch (err) {
      const code = err instanceof ParleyError ? err.code : undefined;
      if (code === ErrorCode.PermissionDenied || code === ErrorCode.NotFound) return false;
      throw ParleyError.unavailable("group membership cannot be read now; retry", err);
    }
  }
}
