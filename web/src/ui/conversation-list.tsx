import type { Session } from "../client/session.js";
import { preview, shortTime } from "./format.js";

export function ConversationList({ session }: { session: Session }) {
  const model = session.model;
  const rows = model.ordered;
  if (rows.length === 0) {
    return <p class="empty muted">No conversations yet.</p>;
  }
  return (
    <ul class="conversations">
      {rows.map((entry) => {
        const peer = entry.conversation?.peer_id;
        const online = peer ? model.presence.get(peer)?.online : undefined;
        return (
          <li
            key={entry.id}
            data-testid="conversation-row"
            data-title={model.titleOf(entry.id)}
            class={entry.id === model.openKey ? "selected" : ""}
            onClick={() => session.open(entry.id)}
          >
            <div class={`avatar ${entry.conversation?.kind ?? ""}`}>
              {model.titleOf(entry.id).slice(0, 1)}
              {online && <span class="dot" title="online" />}
            </div>
            <div class="row-text">
              <div class="row-top">
                <span class="title">{model.titleOf(entry.id)}</span>
                <span class="time muted">{entry.last ? shortTime(entry.last.sent_at) : ""}</span>
              </div>
              <div class="row-bottom">
                <span class="preview muted">{preview(entry.last, model.me?.userId)}</span>
                {entry.unread > 0 && (
                  <span class="badge" data-testid="unread">
                    {entry.unread >= 1000 ? "999+" : entry.unread}
                  </span>
                )}
              </div>
            </div>
          </li>
        );
      })}
    </ul>
  );
}
