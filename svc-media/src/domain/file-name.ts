/** The longest file name kept, in UTF-8 bytes (what most file systems allow). */
export const MAX_FILE_NAME_BYTES = 255;

/** An extension longer than this is part of the name, not kept on truncation. */
const MAX_EXTENSION_BYTES = 16;

/**
 * Characters that must never reach a file name shown to people: C0 and C1
 * controls (NUL included), line and paragraph separators, and format
 * characters: the bidi controls that make "gpj.exe" look like "exe.jpg",
 * zero-width spaces, the BOM, soft hyphens and tag characters. The zero
 * width joiner and non-joiner stay: some scripts and emoji need them.
 */
const UNSAFE = /[\p{Cc}\p{Zl}\p{Zp}]|(?![\u200C\u200D])\p{Cf}/gu;

/**
 * The client's file name as metadata: its last path segment only, without
 * unsafe characters, NFC, trimmed, at most 255 UTF-8 bytes (cut at a code
 * point boundary, keeping a short extension). A name that is nothing but a
 * path ("..", "/") becomes empty, as does one of unsafe characters only.
 * The result is never used to name an object.
 */
export function sanitiseFileName(raw: string): string {
  const cleaned = raw.toWellFormed().replace(UNSAFE, "").normalize("NFC");
  const base = cleaned
    .slice(Math.max(cleaned.lastIndexOf("/"), cleaned.lastIndexOf("\\")) + 1)
    .trim();
  const bounded = boundName(base);
  return bounded === "." || bounded === ".." ? "" : bounded;
}

/** The name cut to MAX_FILE_NAME_BYTES, its extension kept when short. */
function boundName(name: string): string {
  if (Buffer.byteLength(name, "utf8") <= MAX_FILE_NAME_BYTES) return name;
  const dot = name.lastIndexOf(".");
  const extension = dot > 0 ? name.slice(dot) : "";
  const extensionBytes = Buffer.byteLength(extension, "utf8");
  if (extension === "" || extensionBytes > MAX_EXTENSION_BYTES) {
    return truncateUtf8(name, MAX_FILE_NAME_BYTES).trim();
  }
  const stem = truncateUtf8(name.slice(0, dot), MAX_FILE_NAME_BYTES - extensionBytes).trim();
  return `${stem}${extension}`;
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
