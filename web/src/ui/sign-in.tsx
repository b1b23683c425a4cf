import { useState } from "preact/hooks";
import { fetchDevToken } from "../net/dev-token.js";
import { isValidId } from "../protocol/ids.js";
import { browserDeviceId, type Identity } from "../state/saved-identity.js";

/**
 * Sign in as a test user: any well-formed id is a user, and the edge hands
 * out a token for it when it runs in local mode (EDGE_DEV_TOKENS).
 */
export function SignIn({ onSignedIn }: { onSignedIn: (identity: Identity) => void }) {
  const [userId, setUserId] = useState("");
  const [deviceId, setDeviceId] = useState(browserDeviceId);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    const user = userId.trim();
    const device = deviceId.trim();
    if (!isValidId(user) || !isValidId(device)) {
      setError("Ids are 1 to 64 letters, digits, _ or -.");
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await fetchDevToken(user, device);
      onSignedIn({ userId: user, deviceId: device });
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="sign-in">
      <form onSubmit={submit}>
        <h1>Parley</h1>
        <p class="muted">Sign in as a test user. Any name works; there is no directory.</p>
        <label>
          User
          <input
            data-testid="signin-user"
            value={userId}
            onInput={(e) => setUserId(e.currentTarget.value)}
            placeholder="alice"
            autoFocus
            autoComplete="username"
            autoCapitalize="off"
          />
        </label>
        <details>
          <summary>Device</summary>
          <label>
            Device id
            <input value={deviceId} onInput={(e) => setDeviceId(e.currentTarget.value)} />
          </label>
          <p class="muted">One session per device: another tab with the same device takes over.</p>
        </details>
        {error && <p class="error">{error}</p>}
        <button data-testid="signin-submit" type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
