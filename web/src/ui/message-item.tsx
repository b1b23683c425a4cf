import type { Session } from "../client/session.js";
import type { Message } from "../protocol/frames.js";
import type { ConversationEntry } from "../state/model.js";
import type { Outgoing, Thread } from "../state/thread.js";
import { clockTime, membershipText } from "./format.js";
import { MARK_GLYPH, markOf, type Mark } from "./marks.js";
import { MediaPreview } from "./media-preview.js";

interface ItemProps {
  session: Session;
  message: Message;
  thread: Thread;
  entry: ConversationEntry | undefined;
  me: string;
}

/** A stored message (or membership change) of the conversation. */
export function MessageItem({ session, message, thread, entry, me }: ItemProps) {
  if (message.membership) {
    return <div class="event muted">{membershipText(message)}</div>;
  }
  const mine = message.from === me;
  const group = entry?.conversation?.kind === "group";
  const mark = mine ? markOf(message, thread, entry, me) : undefined;
  return (
    <div class={`bubble ${mine ? "mine" : "theirs"}`} data-testid="message" data-mark={mark}>
      {group && !mine && <div class="sender">{message.from}</div>}
      {message.media && <MediaPreview session={session} media={message.media} />}
      {message.body && <div class="body">{message.body}</div>}
      <Meta at={message.sent_at} mark={mark} />
    </div>
  );
}

/** A send of this device that the inbox has not brought back yet. */
export function OutgoingItem({ session, outgoing }: { session: Session; outgoing: Outgoing }) {
  const mark: Mark =
    outgoing.status === "failed" ? "failed" : outgoing.status === "sent" ? "sent" : "sending";
  return (
    <div class="bubble mine" data-testid="message" data-mark={mark}>
      {outgoing.media ? (
        <MediaPreview session={session} media={outgoing.media} />
      ) : (
        outgoing.previewUrl && <img class="thumb uploading" src={outgoing.previewUrl} alt="" />
      )}
      {outgoing.body && <div class="body">{outgoing.body}</div>}
      {outgoing.status === "uploading" && <div class="muted small">Uploading…</div>}
      {outgoing.status === "failed" && (
        <div class="error small">
          Not sent: {outgoing.error}{" "}
          <button class="link" onClick={() => session.retry(outgoing)}>
            Retry
          </button>
        </div>
      )}
      <Meta at={outgoing.createdAt} mark={mark} />
    </div>
  );
}

const MARK_TITLE: Record<Mark, string> = {
  sending: "sending",
  sent: "sent",
  delivered: "delivered",
  read: "read",
  failed: "not sent",
};

function Meta({ at, mark }: { at: number; mark: Mark | undefined }) {
  return (
    <div class="meta">
      {clockTime(at)}
      {mark && (
        <span class={`mark ${mark}`} title={MARK_TITLE[mark]} data-testid="mark">
          {MARK_GLYPH[mark]}
        </span>
      )}
    </div>
  );
}
