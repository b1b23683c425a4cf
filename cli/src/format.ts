import type {
  ConversationEntry,
  Conversation,
  Media,
  Membership,
  Message,
  Receipt,
  Sent,
} from "./frames.js";

/**
 * The human-readable text of protocol objects: one line per message or
 * conversation, so that people can read it and `grep` still works.
 */

/** `2026-12-04 05:13:45  d_Qm9i #412  alice: are you there?` */
export function formatMessage(message: Message): string {
  const where = `${message.conversation_id} #${message.seq}`;
  return `${formatTime(message.sent_at)}  ${where}  ${formatContent(message)}`;
}

/** `receipt  d_Qm9i  bob  delivered #611  read #530` */
export function formatReceipt({
  conversation_id,
  user_id,
  delivered_seq,
  read_seq,
}: Receipt): string {
  return `receipt  ${conversation_id}  ${user_id}  delivered #${delivered_seq}  read #${read_seq}`;
}

/** `d_Qm9i #611  message 37fa…`, and `(duplicate)` when a retry created nothing. */
export function formatSent({ conversation_id, seq, message_id, duplicate }: Sent): string {
  return `${conversation_id} #${seq}  message ${message_id}${duplicate ? "  (duplicate)" : ""}`;
}

/** What a message says, after its sender: text, attachment or membership change. */
export function formatContent(message: Message): string {
  if (message.membership) return formatMembership(message.membership);
  const parts = [`${message.from}:`];
  if (message.media) parts.push(formatMedia(message.media));
  if (message.body) parts.push(printable(message.body));
  return parts.join(" ");
}

/** `alice added dave`, `alice created "Climbing" with alice, bob`, … */
export function formatMembership({ action, actor, user_ids, title }: Membership): string {
  const users = user_ids.join(", ");
  switch (action) {
    case "created":
      return `${actor} created ${JSON.stringify(title ?? "")} with ${users}`;
    case "added":
      return `${actor} added ${users}`;
    case "removed":
      return `${actor} removed ${users}`;
    case "left":
      return `${actor} left`;
    case "promoted":
      return `${users} now admin (${actor} left)`;
    default:
      // Newer actions than this client knows: the protocol says to show them generically.
      return `${actor} changed the members (${action}): ${users}`;
  }
}

/** `[image/jpeg beach.jpg 1600x1200 179 KiB, media 3f2a…]` */
export function formatMedia(media: Media): string {
  const parts = [media.content_type];
  if (media.file_name) parts.push(printable(media.file_name));
  if (media.width && media.height) parts.push(`${media.width}x${media.height}`);
  parts.push(formatSize(media.size));
  return `[${parts.join(" ")}, media ${media.media_id}]`;
}

/** `d_Qm9i  bob  2 unread  bob: on my way` */
export function formatConversationEntry(entry: ConversationEntry): string {
  const parts = [formatConversation(entry.conversation)];
  if (entry.unread_count > 0) parts.push(`${entry.unread_count} unread`);
  if (entry.last_message) parts.push(formatContent(entry.last_message));
  return parts.join("  ");
}

/** `g_Xk2  "Climbing" (3 members)` or `d_Qm9i  bob` */
export function formatConversation(conversation: Conversation): string {
  const { conversation_id, kind, title, peer_id, member_count } = conversation;
  const name =
    kind === "group"
      ? `${JSON.stringify(title ?? "")} (${counted(member_count, "member", "members")})`
      : (peer_id ?? "");
  return `${conversation_id}  ${name}`;
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** Local time to the second, e.g. `2026-12-04 05:13:45`. */
function formatTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  const date = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  return `${date} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/**
 * Text from other users, safe for a terminal: control characters (escape
 * sequences could rewrite the screen) are shown as \u escapes, and the lines
 * of a multi-line body are indented under the first.
 */
export function printable(text: string): string {
  // \p{Cc} is U+0000 to U+001F and U+007F to U+009F: C0, DEL and C1.
  const escaped = text.replace(/\p{Cc}/gu, (c) =>
    c === "\n" ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return escaped.replaceAll("\n", "\n    ");
}

/** `1 entry`, `2 entries`: a count with its noun in the right number. */
export function counted(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}
