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
 * - A message or receipt goes to the members stamped on it at send time,
 *   unless the log has since shown a newer membership: a send that read the
 *   member list just before a change reaches the log after it, and then
 *   the log's order decides (a removed member gets nothing sent after the
 *   removal event, a new member gets everything after the join event).
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
  if (latest && latest.version > event.membershipVersion) return latest.memberIds;
  return [...new Set(event.memberIds)];
}
