import { ParleyError, requireId } from "@parley/common";
import { MembershipChange_Action as Action } from "@parley/proto/parley/events/v1/events";
import type {
  LeaveGroupRequest,
  LeaveGroupResponse,
} from "@parley/proto/parley/history/v1/conversations";
import { requireGroupId } from "../domain/group-request.js";
import { deleteGroupMember, promoteToAdmin } from "../pg/group-store.js";
import { changeGroup } from "./group-change.js";
import type { GroupDeps } from "./group-deps.js";

const NOT_A_MEMBER = "user is not a member of the group";

/**
 * LeaveGroup. When the last admin leaves a group that still has members,
 * the member who joined first (ties by user id) becomes admin, in a second
 * event right after the first, so a group never lacks an admin. The last
 * member leaving leaves an empty group behind; nobody can change it again.
 */
export async function leaveGroup(
  deps: GroupDeps,
  request: LeaveGroupRequest,
): Promise<LeaveGroupResponse> {
  const userId = requireId("user_id", request.userId);
  const conversationId = requireGroupId(request.conversationId);

  return changeGroup(deps, conversationId, userId, NOT_A_MEMBER, async (change) => {
    if (!change.member(userId)) throw ParleyError.denied(NOT_A_MEMBER);
    const remaining = change.members.filter((m) => m.userId !== userId);
    const after = remaining.map((m) => m.userId);
    await change.append(
      { action: Action.ACTION_LEFT, actorId: userId, userIds: [userId], title: "" },
      after,
    );
    await deleteGroupMember(change.client, conversationId, userId);

    // `remaining` is in joining order, so its head joined first.
    const heir = remaining.some((m) => m.role === "admin") ? undefined : remaining[0];
    if (!heir) return;
    await change.append(
      { action: Action.ACTION_PROMOTED, actorId: userId, userIds: [heir.userId], title: "" },
      after,
    );
    await promoteToAdmin(change.client, conversationId, heir.userId);
  });
}
