import type { ConversationClient } from "../grpc/conversation-client.js";
import type { PresenceClient } from "../grpc/presence-client.js";
import { presenceView, type PresenceSubscriptions } from "../presence/presence-subscriptions.js";
import { PresenceWatch } from "../presence/presence-watch.js";
import type { Connection } from "../ws/connection.js";
import type { PresenceFrame, WatchPresenceFrame } from "../ws/frames.js";

export interface WatchPresenceDeps {
  conversations: Pick<ConversationClient, "filterContacts">;
  presence: Pick<PresenceClient, "getPresence">;
  subscriptions: PresenceSubscriptions;
}

/**
 * Replaces the connection's watch set with the listed users who share a
 * conversation with its user (svc-history's FilterContacts decides), then
 * answers with their current presence (svc-presence's GetPresence). The
 * subscriptions reach the NATS server (flush) before the read, so no change
 * falls between the answer and the pushes. When FilterContacts fails the
 * error frame goes out and the previous set stays; when the flush or
 * GetPresence fails, it goes out and nobody is watched.
 */
export function handleWatchPresence(
  conn: Connection,
  frame: WatchPresenceFrame,
  deps: WatchPresenceDeps,
): Promise<void> {
  const watch = conn.presenceWatch(
    () => new PresenceWatch(deps.subscriptions, (text) => conn.send(text)),
  );
  return watch.run(() => replaceWatchSet(conn, frame, deps, watch));
}

async function replaceWatchSet(
  conn: Connection,
  frame: WatchPresenceFrame,
  deps: WatchPresenceDeps,
  watch: PresenceWatch,
): Promise<void> {
  const answer: PresenceFrame = { type: "presence", id: frame.id, users: [], not_visible: [] };
  const versions = new Map<string, number>();
  if (frame.user_ids.length === 0) {
    watch.replace([]);
    return watch.answered(JSON.stringify(answer));
  }
  const { contactIds } = await deps.conversations.filterContacts({
    userId: conn.deviceSession.identity.userId,
    candidateIds: frame.user_ids,
  });
  const visible = new Set(contactIds);
  answer.not_visible = frame.user_ids.filter((id) => !visible.has(id));
  watch.replace(contactIds);
  if (contactIds.length > 0) {
    try {
      await deps.subscriptions.flush();
      const { users } = await deps.presence.getPresence({ userIds: contactIds });
      answer.users = users.map(presenceView);
      for (const u of users) {
        versions.set(u.userId, u.version);
        deps.subscriptions.observed(u.userId, u.version);
      }
    } catch (err) {
      watch.replace([]);
      throw err;
    }
  }
  watch.answered(JSON.stringify(answer), versions);
}
