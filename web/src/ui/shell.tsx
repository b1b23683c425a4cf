import { useState } from "preact/hooks";
import type { Session } from "../client/session.js";
import { ChatView } from "./chat-view.js";
import { ConversationList } from "./conversation-list.js";
import { ImageViewer } from "./image-viewer.js";
import { NewChatDialog } from "./new-chat-dialog.js";
import { NewGroupDialog } from "./new-group-dialog.js";
import { StatusBanner } from "./status-banner.js";
import { useModel } from "./use-model.js";

type Dialog = "chat" | "group" | undefined;

/**
 * The messenger: the list beside the open chat on a wide screen, one of
 * them at a time on a phone (the `chat-open` class picks which).
 */
export function Shell({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  useModel(session.model);
  const [dialog, setDialog] = useState<Dialog>();
  const model = session.model;
  const open = model.openKey;

  return (
    <div class={`shell ${open ? "chat-open" : ""}`}>
      <StatusBanner session={session} />
      <aside class="side">
        <header class="bar">
          <strong class="me" title={`device ${model.me?.deviceId}`}>
            {model.me?.userId}
          </strong>
          <span class="spacer" />
          <button data-testid="new-chat" onClick={() => setDialog("chat")} title="New chat">
            + Chat
          </button>
          <button data-testid="new-group" onClick={() => setDialog("group")} title="New group">
            + Group
          </button>
          <button class="link" onClick={onSignOut}>
            Sign out
          </button>
        </header>
        <ConversationList session={session} />
      </aside>
      <section class="main">
        {open ? (
          <ChatView key={open} session={session} chatKey={open} />
        ) : (
          <div class="empty muted">Pick a conversation or start a new one.</div>
        )}
      </section>
      {dialog === "chat" && (
        <NewChatDialog session={session} onClose={() => setDialog(undefined)} />
      )}
      {dialog === "group" && (
        <NewGroupDialog session={session} onClose={() => setDialog(undefined)} />
      )}
      {model.viewing && <ImageViewer session={session} />}
    </div>
  );
}
