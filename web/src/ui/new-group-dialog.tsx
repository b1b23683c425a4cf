import { useState } from "preact/hooks";
import type { Session } from "../client/session.js";
import { isValidId } from "../protocol/ids.js";
import { Dialog, parseIds } from "./dialog.js";

/** Creates a group with a title and first members; the creator is admin. */
export function NewGroupDialog({ session, onClose }: { session: Session; onClose: () => void }) {
  const [title, setTitle] = useState("");
  const [members, setMembers] = useState("");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    const ids = parseIds(members);
    if (!title.trim()) return setError("Give the group a title.");
    const bad = ids.find((id) => !isValidId(id));
    if (bad) return setError(`“${bad}” is not a user id.`);
    setBusy(true);
    try {
      await session.createGroup(title.trim(), ids);
      onClose();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog title="New group" onClose={onClose}>
      <form onSubmit={submit}>
        <label>
          Title
          <input
            data-testid="new-group-title"
            value={title}
            maxLength={100}
            onInput={(e) => setTitle(e.currentTarget.value)}
            autoFocus
          />
        </label>
        <label>
          Members (user ids, separated by spaces or commas)
          <input
            data-testid="new-group-members"
            value={members}
            onInput={(e) => setMembers(e.currentTarget.value)}
            autoCapitalize="off"
          />
        </label>
        {error && <p class="error">{error}</p>}
        <div class="actions">
          <button type="button" class="link" onClick={onClose}>
            Cancel
          </button>
          <button data-testid="new-group-submit" type="submit" disabled={busy}>
            Create
          </button>
        </div>
      </form>
    </Dialog>
  );
}
