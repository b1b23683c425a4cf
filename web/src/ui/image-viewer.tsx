import type { Session } from "../client/session.js";

/** The full image over everything, from a short-lived download URL. */
export function ImageViewer({ session }: { session: Session }) {
  const viewing = session.model.viewing;
  if (!viewing) return null;
  return (
    <div class="viewer" data-testid="viewer" onClick={() => session.closeViewer()}>
      <img src={viewing.url} alt={viewing.name} data-testid="viewer-image" />
      <button class="close" aria-label="Close">
        ✕
      </button>
    </div>
  );
}
