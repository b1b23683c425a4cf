import { groupConversationId, nameBasedUuid, ParleyError, requireId } from "@parley/common";
import { MembershipChange_Action as Action } from "@parley/proto/parley/events/v1/events";
import type {
  CreateGroupRequest,
  CreateGroupResponse,
} from "@parley/proto/parley/history/v1/conversations";
import { conversationOf } from "../domain/conversation-view.js";
import { requireIdList, requireTitle } from "../domain/group-request.js";
import { addGroupMembers, insertGroup, setMembershipVersion } from "../pg/group-store.js";
import { inTransaction } from "../pg/transaction.js";
import { announce, GroupChange } from "./group-change.js";
import type { GroupDeps } from "./group-deps.js";

/**
 * CreateGroup: the group's id derives from (creator, client request id), so
 * a retry meets the row the first attempt committed and answers with it.
 */
export async function createGroup(
  deps: GroupDeps,
  request: CreateGroupRequest,
): Promise<CreateGroupResponse> {
  const creatorId = requireId("creator_id", request.creatorId);
  const requestId = requireId("client_request_id", request.clientRequestId);
  const title = requireTitle(request.title);
  const others = requireIdList("member_ids", request.memberIds).filter((id) => id !== creatorId);
  const total = others.length + 1;
  if (total > deps.maxMembers) {
    throw ParleyError.invalid(
      `a group holds at most ${deps.maxMembers} members, the creator included; this one would have ${total}`,
    );
  }
  const conversationId = groupConversationId(creatorId, requestId);
  const createdAt = new Date();

  const events = await inTransaction(deps.pool, async (client) => {
    const created = await insertGroup(client, {
      conversationId,
      title,
      createdBy: creatorId,
      createdAt,
    });
    if (!created) return null;
    const group = { conversationId, title, membershipVersion: 0 };
    const change = new GroupChange(deps.publisher, client, group, []);
    const memberIds = [creatorId, ...others];
    // A derived event id: if this transaction fails after the append, the
    // retry's append is a JetStream duplicate and lands on the same seq.
    const appended = await change.append(
      { action: Action.ACTION_CREATED, actorId: creatorId, userIds: memberIds, title },
      memberIds,
      nameBasedUuid(`created\0${conversationId}`),
    );
    await addGroupMembers(
      client,
      conversationId,
      [
        { userId: creatorId, role: "admin" },
        ...others.map((userId) => ({ userId, role: "member" as const })),
      ],
      appended,
    );
    await setMembershipVersion(client, conversationId, change.membershipVersion);
    return change.events;
  });
  if (events) await announce(deps, conversationId);
  const row = await deps.reader.view(conversationId, creatorId);
  return { conversation: row ? conversationOf(row) : undefined, created: events !== null };
}
