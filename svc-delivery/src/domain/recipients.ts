import {
  MembershipChange_Action,
  type ConversationEvent,
} from "@parley/proto/parley/events/v1/events";
import type { Membership } from "./membership.js";

/**
 * Whose inboxes a log entry goes to. `latest` is the newest membership the
 * fanout has seen in this conversation's log before the entry.
 *
 * - A membership change goes to the members after it and to whoever it
 *   took out, so the removed or leaving user sees their own removal.
 * - A message goes to the members stamped on it at send time, unless the
 *   log has shown a newer membership before the entry: a send that read
 *   the member list just before a change reaches the log after it, and
 *   then the log's order decides (a removed member gets nothing sent after
 *   the removal event, a new member gets everything after the join event).
 * - A receipt is stamped with the few users it is for (see svc-history's
 *   receipt events), so a newer membership only takes out who has left.
 *
 * A snapshot learned from later in the log than the entry (the entry was
 * redelivered) does not apply to it: the stamp is the better guess.
 */
export function recipientsOf(event: ConversationEvent, latest: Membership | undefined): string[] {
  if (event.membership) {
    const { action, userIds } = event.membership;
    const leaving =
      action === MembershipChange_Action.ACTION_REMOVED ||
      action === MembershipChange_Action.ACTION_LEFT
        ? userIds
        : [];
    return [...new Set([...event.memberIds, ...leaving])];
  }
  const stamped = [...new Set(event.memberIds)];
  const newer =
    latest !== undefined &&
    (latest.seq ?? 0) < event.seq &&
    latest.version > event.membershipVersion;
  if (!newer) return stamped;
  if (event.receipt) {
    const current = new Set(latest.memberIds);
    return stamped.filter((user) => current.has(user));
  }
  return latest.memberIds;
}
