import { useLayoutEffect, useRef } from "preact/hooks";
import type { Session } from "../client/session.js";
import { isDraftKey } from "../state/model.js";
import type { Thread } from "../state/thread.js";
import { MessageItem, OutgoingItem } from "./message-item.js";

/** How close to the top a scroll must come to load the older page. */
const LOAD_OLDER_WITHIN_PX = 120;

/**
 * The messages of a thread in seq order, then this device's sends not
 * stored yet. Scrolling up loads older pages and keeps the view where it
 * was; a new message scrolls down when the view was at the bottom.
 */
export function MessageList(props: { session: Session; thread: Thread; chatKey: string }) {
  const { session, thread, chatKey } = props;
  const me = session.model.me?.userId ?? "";
  const entry = session.model.conversations.get(chatKey);
  const box = useRef<HTMLDivElement>(null);
  const last = useRef({ first: "", count: 0, height: 0, atBottom: true });
  const messages = thread.sorted;
  const first = messages[0]?.id ?? "";
  const count = messages.length + thread.outgoing.length;

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const before = last.current;
    if (before.first && first !== before.first && before.height) {
      el.scrollTop += el.scrollHeight - before.height; // older page above
    } else if (count !== before.count && before.atBottom) {
      el.scrollTop = el.scrollHeight;
    }
    last.current = { first, count, height: el.scrollHeight, atBottom: nearBottom(el) };
    // A first page shorter than the screen cannot be scrolled: load more.
    if (el.scrollHeight <= el.clientHeight && thread.hasMore && thread.loaded) {
      session.loadOlder(chatKey);
    }
  });

  function onScroll() {
    const el = box.current;
    if (!el) return;
    last.current.atBottom = nearBottom(el);
    last.current.height = el.scrollHeight;
    if (el.scrollTop < LOAD_OLDER_WITHIN_PX && thread.hasMore && !thread.loadingOlder) {
      session.loadOlder(chatKey);
    }
  }

  return (
    <div class="messages" ref={box} onScroll={onScroll} data-testid="messages">
      {thread.loadingOlder && <div class="muted center">Loading…</div>}
      {thread.loaded && !thread.hasMore && !isDraftKey(chatKey) && (
        <div class="muted center small">Start of the conversation</div>
      )}
      {messages.map((m) => (
        <MessageItem
          key={m.id}
          session={session}
          message={m}
          thread={thread}
          entry={entry}
          me={me}
        />
      ))}
      {thread.outgoing.map((o) => (
        <OutgoingItem key={o.clientId} session={session} outgoing={o} />
      ))}
    </div>
  );
}

function nearBottom(el: HTMLElement): boolean {
  return el.scrollHeight - el.scrollTop - el.clientHeight < 40;
}
