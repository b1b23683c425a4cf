import { useState } from "preact/hooks";
import type { Session } from "../client/session.js";
import { isValidId } from "../protocol/ids.js";
import { Dialog } from "./dialog.js";

/** Starts (or reopens) a 1:1 chat with any user id. */
export function NewChatDialog({ session, onClose }: { session: Session; onClose: () => void }) {
  const [peer, setPeer] = useState("");
  const [error, setError] = useState<string>();

  function submit(event: Event) {
    event.preventDefault();
    const id = peer.trim();
    if (!isValidId(id)) return setError("Ids are 1 to 64 letters, digits, _ or -.");
    if (id === session.model.me?.userId) return setError("That is you.");
    session.chatWith(id);
    onClose();
  }

  return (
    <Dialog title="New chat" onClose={onClose}>
      <form onSubmit={submit}>
        <label>
          User id
          <input
            data-testid="new-chat-user"
            value={peer}
            onInput={(e) => setPeer(e.currentTarget.value)}
            autoFocus
            autoCapitalize="off"
          />
        </label>
        {error && <p class="error">{error}</p>}
        <div class="actions">
          <button type="button" class="link" onClick={onClose}>
            Cancel
          </button>
          <button data-testid="new-chat-submit" type="submit">
            Chat
          </button>
        </div>
      </form>
    </Dialog>
  );
}
