import type { Session } from "../client/session.js";
import type { Media } from "../protocol/frames.js";

/** Widest a thumbnail is drawn; the stored one is small (about 128 px). */
const MAX_WIDTH = 240;

/**
 * An image's thumbnail straight from the message (base64, no download),
 * opened full size on click; other media as a file chip.
 */
export function MediaPreview({ session, media }: { session: Session; media: Media }) {
  if (media.thumbnail) {
    const w = media.width ?? media.thumbnail_width ?? MAX_WIDTH;
    const h = media.height ?? media.thumbnail_height ?? MAX_WIDTH;
    const width = Math.min(MAX_WIDTH, w);
    return (
      <img
        class="thumb"
        data-testid="thumbnail"
        src={`data:image/jpeg;base64,${media.thumbnail}`}
        width={width}
        height={Math.round((width * h) / w)}
        alt={media.file_name ?? "image"}
        onClick={() => void session.view(media)}
      />
    );
  }
  return (
    <button class="file" onClick={() => void session.view(media)}>
      {media.file_name ?? media.content_type} ({formatSize(media.size)})
    </button>
  );
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
