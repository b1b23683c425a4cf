import { ErrorCode, ParleyError, requireId } from "@parley/common";
import { MembershipChange_Action as Action } from "@parley/proto/parley/events/v1/events";
import type {
  RemoveMemberRequest,
  RemoveMemberResponse,
} from "@parley/proto/parley/history/v1/conversations";
import { requireGroupId } from "../domain/group-request.js";
import { deleteGroupMember } from "../pg/group-store.js";
import { NOT_AN_ADMIN } from "./add-members.js";
import { changeGroup } from "./group-change.js";
import type { GroupDeps } from "./group-deps.js";

/**
 * RemoveMember: an admin removes another member (an admin too). The removal
 * event is stamped with the members after it; fanout adds the removed user
 * as a recipient of that one event.
 */
export async function removeMember(
  deps: GroupDeps,
  request: RemoveMemberRequest,
): Promise<RemoveMemberResponse> {
  const actorId = requireId("actor_id", request.actorId);
  const conversationId = requireGroupId(request.conversationId);
  const userId = requireId("user_id", request.userId);
  if (userId === actorId) {
    throw ParleyError.invalid("an admin cannot remove themselves; leave the group instead");
  }

  return changeGroup(deps, conversationId, actorId, NOT_AN_ADMIN, async (change) => {
    if (change.member(actorId)?.role !== "admin") throw ParleyError.denied(NOT_AN_ADMIN);
    if (!change.member(userId)) {
      throw new ParleyError(ErrorCode.NotFound, "user_id is not a member of the group");
    }
    const after = change.members.map((m) => m.userId).filter((id) => id !== userId);
    await change.append(
      { action: Action.ACTION_REMOVED, actorId, userIds: [userId], title: "" },
      after,
    );
    await deleteGroupMember(change.client, conversationId, userId);
  });
}
