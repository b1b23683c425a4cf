import { useRef, useState } from "preact/hooks";
import type { Session } from "../client/session.js";

/** Images the client offers to attach (svc-media makes thumbnails of these). */
const IMAGE_TYPES = "image/jpeg,image/png,image/webp,image/gif";

/** Text field, attach button and send; Enter sends, Shift+Enter breaks the line. */
export function Composer({ session, chatKey }: { session: Session; chatKey: string }) {
  const thread = session.model.thread(chatKey);
  const [text, setTextState] = useState(() => thread.unsentText);
  const setText = (value: string) => {
    thread.unsentText = value;
    setTextState(value);
  };
  const file = useRef<HTMLInputElement>(null);
  const field = useRef<HTMLTextAreaElement>(null);
  const online = session.model.link.kind === "online";

  function send() {
    const body = text.trim();
    if (!body) return;
    session.send(chatKey, body);
    setText("");
  }

  function attach(event: Event) {
    const input = event.currentTarget as HTMLInputElement;
    const chosen = input.files?.[0];
    input.value = "";
    if (!chosen) return;
    // The field itself: a render may not have caught up with the last keystroke.
    session.sendFile(chatKey, chosen, (field.current?.value ?? text).trim());
    setText("");
  }

  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <button
        type="button"
        class="attach"
        title="Attach an image"
        disabled={!online}
        onClick={() => file.current?.click()}
      >
        <PaperClip />
      </button>
      <input
        ref={file}
        type="file"
        accept={IMAGE_TYPES}
        hidden
        data-testid="attach-input"
        onChange={attach}
      />
      <textarea
        ref={field}
        data-testid="composer-input"
        rows={1}
        value={text}
        placeholder="Message"
        onInput={(e) => {
          setText(e.currentTarget.value);
          session.typed(chatKey);
        }}
        onKeyDown={(e) => {
          if (e.key === "Enter" && !e.shiftKey) {
            e.preventDefault();
            send();
          }
        }}
      />
      <button data-testid="composer-send" type="submit" disabled={!text.trim()}>
        Send
      </button>
    </form>
  );
}

/** Drawn, not an emoji: not every system has an emoji font. */
function PaperClip() {
  return (
    <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
      <path
        d="M16.5 6.5v10a4.5 4.5 0 0 1-9 0V5a3 3 0 0 1 6 0v10.5a1.5 1.5 0 0 1-3 0V6.5"
        fill="none"
        stroke="currentColor"
        stroke-width="1.6"
        stroke-linecap="round"
      />
    </svg>
  );
}
