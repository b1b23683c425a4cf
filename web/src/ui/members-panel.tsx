import { useState } from "preact/hooks";
import type { Session } from "../client/session.js";
import { isValidId } from "../protocol/ids.js";
import { parseIds } from "./dialog.js";
import { lastSeen } from "./format.js";

/** A group's members with role and presence; admins add and remove. */
export function MembersPanel({
  session,
  conversationId,
}: {
  session: Session;
  conversationId: string;
}) {
  const model = session.model;
  const thread = model.thread(conversationId);
  const conversation = model.conversations.get(conversationId)?.conversation;
  const admin = conversation?.role === "admin";
  const me = model.me?.userId;
  const [adding, setAdding] = useState("");

  const act = (work: Promise<void>) => work.catch((err: Error) => model.say(err.message));

  function add(event: Event) {
    event.preventDefault();
    const ids = parseIds(adding).filter(isValidId);
    if (ids.length === 0) return;
    void act(session.addMembers(conversationId, ids)).then(() => setAdding(""));
  }

  return (
    <div class="members" data-testid="members">
      <ul>
        {(thread.members ?? []).map((m) => {
          const state = model.presence.get(m.user_id);
          const status =
            m.user_id === me ? "you" : state?.online ? "online" : lastSeen(state?.last_seen);
          return (
            <li key={m.user_id}>
              <span class={`dot ${state?.online ? "on" : ""}`} />
              <span class="title">{m.user_id}</span>
              {m.role === "admin" && <span class="tag">admin</span>}
              <span class="muted small">{status}</span>
              <span class="spacer" />
              {admin && m.user_id !== me && (
                <button
                  class="link"
                  onClick={() => void act(session.removeMember(conversationId, m.user_id))}
                >
                  Remove
                </button>
              )}
            </li>
          );
        })}
      </ul>
      {admin && (
        <form class="inline" onSubmit={add}>
          <input
            value={adding}
            placeholder="Add user ids"
            onInput={(e) => setAdding(e.currentTarget.value)}
            autoCapitalize="off"
          />
          <button type="submit">Add</button>
        </form>
      )}
      <button class="danger" onClick={() => void act(session.leaveGroup(conversationId))}>
        Leave group
      </button>
    </div>
  );
}
