import type { TypingNotifier } from "../typing/typing-notifier.js";
import type { Connection } from "../ws/connection.js";
import type { TypingFrame } from "../ws/frames.js";

/**
 * A typing frame past the connection's typing rate is dropped without an
 * answer: indicators are refreshed every few seconds anyway, and an error
 * per keystroke would cost more than the indicator. A non-member is
 * answered permission_denied.
 */
export async function handleTyping(
  conn: Connection,
  frame: TypingFrame,
  notifier: TypingNotifier,
): Promise<void> {
  if (!conn.takeTypingToken()) return;
  await notifier.typing(conn.deviceSession.identity.userId, frame.conversation_id);
}
