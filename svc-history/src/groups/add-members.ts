import { ParleyError, requireId } from "@parley/common";
import { MembershipChange_Action as Action } from "@parley/proto/parley/events/v1/events";
import type {
  AddMembersRequest,
  AddMembersResponse,
} from "@parley/proto/parley/history/v1/conversations";
import { requireGroupId, requireIdList } from "../domain/group-request.js";
import { addGroupMembers } from "../pg/group-store.js";
import { changeGroup } from "./group-change.js";
import type { GroupDeps } from "./group-deps.js";

// One reason for "not an admin" and "no such group", so ids cannot be probed.
export const NOT_AN_ADMIN = "actor is not an admin of the group";

/** AddMembers: users already in the group are skipped; all or none are added. */
export async function addMembers(
  deps: GroupDeps,
  request: AddMembersRequest,
): Promise<AddMembersResponse> {
  const actorId = requireId("actor_id", request.actorId);
  const conversationId = requireGroupId(request.conversationId);
  const userIds = requireIdList("user_ids", request.userIds);
  if (userIds.length === 0) throw ParleyError.invalid("user_ids must name at least one user");

  return changeGroup(deps, conversationId, actorId, NOT_AN_ADMIN, async (change) => {
    if (change.member(actorId)?.role !== "admin") throw ParleyError.denied(NOT_AN_ADMIN);
    const current = change.members.map((m) => m.userId);
    const present = new Set(current);
    const added = userIds.filter((id) => !present.has(id));
    if (added.length === 0) return;
    const total = current.length + added.length;
    if (total > deps.maxMembers) {
      throw ParleyError.invalid(
        `a group holds at most ${deps.maxMembers} members; this one would have ${total}`,
      );
    }
    const appended = await change.append(
      { action: Action.ACTION_ADDED, actorId, userIds: added, title: "" },
      [...current, ...added],
    );
    await addGroupMembers(
      change.client,
      conversationId,
      added.map((userId) => ({ userId, role: "member" as const })),
      appended,
    );
  });
}
