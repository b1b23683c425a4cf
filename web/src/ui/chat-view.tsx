import { useState } from "preact/hooks";
import { typingNow } from "../client/typing.js";
import type { Session } from "../client/session.js";
import { isDraftKey } from "../state/model.js";
import { Composer } from "./composer.js";
import { lastSeen } from "./format.js";
import { MembersPanel } from "./members-panel.js";
import { MessageList } from "./message-list.js";

/** One conversation: header (presence or typing), messages, composer. */
export function ChatView({ session, chatKey }: { session: Session; chatKey: string }) {
  const [showMembers, setShowMembers] = useState(false);
  const model = session.model;
  const entry = model.conversations.get(chatKey);
  const thread = model.thread(chatKey);
  const isGroup = entry?.conversation?.kind === "group";

  return (
    <div class="chat" data-testid="chat">
      <header class="bar">
        <button class="back" onClick={() => session.open(undefined)} aria-label="Back">
          ‹
        </button>
        <div class="chat-title">
          <strong data-testid="chat-title">{model.titleOf(chatKey)}</strong>
          <span class="muted subtitle" data-testid="chat-subtitle">
            {subtitle(session, chatKey)}
          </span>
        </div>
        <span class="spacer" />
        {isGroup && (
          <button data-testid="members-button" onClick={() => setShowMembers(!showMembers)}>
            Members
          </button>
        )}
      </header>
      {showMembers && isGroup ? (
        <MembersPanel session={session} conversationId={chatKey} />
      ) : (
        <MessageList session={session} thread={thread} chatKey={chatKey} />
      )}
      <Composer session={session} chatKey={chatKey} />
    </div>
  );
}

function subtitle(session: Session, key: string): string {
  const model = session.model;
  const thread = model.thread(key);
  const typing = typingNow(thread.typing);
  if (typing.length === 1) return `${typing[0]} is typing…`;
  if (typing.length > 1) return `${typing.join(", ")} are typing…`;
  if (isDraftKey(key)) return "new chat";
  const c = model.conversations.get(key)?.conversation;
  if (!c) return "";
  if (c.kind === "group") {
    const me = model.me?.userId;
    const online = (thread.members ?? []).filter(
      (m) => m.user_id !== me && model.presence.get(m.user_id)?.online,
    ).length;
    const members = `${c.member_count} member${c.member_count === 1 ? "" : "s"}`;
    return `${members}${online ? `, ${online} online` : ""}`;
  }
  const state = c.peer_id ? model.presence.get(c.peer_id) : undefined;
  if (!state) return "";
  return state.online ? "online" : lastSeen(state.last_seen);
}
