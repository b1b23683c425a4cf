import { callUnary, ErrorCode, ParleyError } from "@parley/common";
import type {
  ConversationServiceClient,
  ListMembersRequest,
  ListMembersResponse,
} from "@parley/proto/parley/history/v1/conversations";
import type { Membership } from "../domain/membership.js";

/**
 * Reads a group's members from svc-history, which owns them. The reader is
 * the sender, so history's own membership check decides who may post: a
 * non-member (or an unknown group, which history answers alike) is refused
 * here with the same PERMISSION_DENIED the caller sees.
 */
export class GroupMembers {
  constructor(
    private readonly client: ConversationServiceClient,
    private readonly timeoutMs: number,
  ) {}

  async list(conversationId: string, readerId: string): Promise<Membership> {
    let answer: ListMembersResponse;
    try {
      answer = await callUnary<ListMembersRequest, ListMembersResponse>(
        this.client,
        this.client.listMembers,
        { readerId, conversationId },
        this.timeoutMs,
      );
    } catch (err) {
      throw asSendError(err);
    }
    return {
      version: answer.membershipVersion,
      memberIds: answer.members.map((m) => m.userId),
    };
  }
}

/** Only "not a member" is the sender's fault; anything else is retryable. */
function asSendError(err: unknown): ParleyError {
  if (err instanceof ParleyError && err.code === ErrorCode.PermissionDenied) {
    return ParleyError.denied("not a member of this group");
  }
  return ParleyError.unavailable("group membership cannot be read; retry the send", err);
}
