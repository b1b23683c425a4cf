import type { Message } from "../protocol/frames.js";

const time = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const day = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short" });

function sameDay(a: Date, b: Date): boolean {
  return a.toDateString() === b.toDateString();
}

/** 14:03 today, 3 Mar before. */
export function shortTime(ms: number): string {
  const at = new Date(ms);
  return sameDay(at, new Date()) ? time.format(at) : day.format(at);
}

export function clockTime(ms: number): string {
  return time.format(new Date(ms));
}

export function lastSeen(ms: number | undefined): string {
  if (!ms) return "offline";
  const at = new Date(ms);
  if (sameDay(at, new Date())) return `last seen today at ${time.format(at)}`;
  return `last seen ${day.format(at)} at ${time.format(at)}`;
}

/** One line about a group membership change. */
export function membershipText(message: Message): string {
  const m = message.membership;
  if (!m) return "";
  const who = m.user_ids.join(", ");
  switch (m.action) {
    case "created":
      return `${m.actor} created “${m.title ?? "the group"}”`;
    case "added":
      return `${m.actor} added ${who}`;
    case "removed":
      return `${m.actor} removed ${who}`;
    case "left":
      return `${m.actor} left`;
    case "promoted":
      return `${who} became admin`;
    default:
      return "the group changed";
  }
}

/** The conversation list's preview of a message. */
export function preview(message: Message | undefined, me: string | undefined): string {
  if (!message) return "";
  if (message.membership) return membershipText(message);
  const who = message.from === me ? "You: " : "";
  if (message.media) {
    const kind = message.media.content_type.startsWith("image/") ? "Photo" : "File";
    return `${who}${kind}${message.body ? ` · ${message.body}` : ""}`;
  }
  return `${who}${message.body ?? ""}`;
}
