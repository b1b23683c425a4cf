/**
 * A Content-Disposition that makes browsers save rather than render the
 * download, under the sanitised name (RFC 6266 with RFC 8187's UTF-8
 * encoding, so no quoting of the name is ever needed). No name: no
 * filename parameter, and the client picks one.
 */
export function attachmentDisposition(fileName: string): string {
  if (fileName === "") return "attachment";
  return `attachment; filename*=UTF-8''${encodeRfc8187(fileName)}`;
}

/** Percent-encodes all but RFC 8187's attr-char. */
function encodeRfc8187(value: string): string {
  return encodeURIComponent(value).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
