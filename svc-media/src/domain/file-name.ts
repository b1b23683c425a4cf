/** The longest file name kept, in UTF-8 bytes (what most file systems allow). */
export const MAX_FILE_NAME_BYTES = 255;

/**
 * Characters that must never reach a file name shown to people: C0 and C1
 * controls (NUL included), and the bidi controls that make "gpj.exe" look
 * like "exe.jpg" (LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI, LRM, RLM and
 * the Arabic letter mark).
 */
const UNSAFE = /[\p{Cc}\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/gu;

/**
 * The client's file name as metadata: its last path segment only, NFC,
 * without control or bidi characters, trimmed, at most 255 UTF-8 bytes (cut
 * at a code point boundary). A name that is nothing but a path ("..", "/")
 * becomes empty, as does one of unsafe characters only. The result is never
 * used to name an object.
 */
export function sanitiseFileName(raw: string): string {
  const cleaned = raw.toWellFormed().normalize("NFC").replace(UNSAFE, "");
  const base = cleaned.slice(Math.max(cleaned.lastIndexOf("/"), cleaned.lastIndexOf("\\")) + 1);
  const bounded = truncateUtf8(base.trim(), MAX_FILE_NAME_BYTES).trim();
  return bounded === "." || bounded === ".." ? "" : bounded;
}

/** The longest prefix of `text` that fits in `maxBytes` of UTF-8, whole code points only. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, "utf8") <= maxBytes) return text;
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char, "utf8");
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += char.length;
  }
  return text.slice(0, end);
}
