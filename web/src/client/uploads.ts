import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import type { Connection } from "../net/connection.js";
import type { Media, ServerFrameOf } from "../protocol/frames.js";
import { randomId } from "../protocol/ids.js";

/** Headers a browser sets itself and refuses to take from a script. */
const BROWSER_SET = new Set(["content-length", "host", "connection"]);

/**
 * The media flow of docs/protocol.md: `upload` declares the file and gets
 * a grant, the bytes go straight to storage with the grant's method, URL and
 * headers, and `upload_done` has them checked. Resolves with the ready media.
 * SHA-256 comes from @noble/hashes: crypto.subtle exists only on https
 * and localhost, and a phone on the LAN reaches the edge over plain http.
 */
export async function uploadFile(conn: Connection, file: File): Promise<Media> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const granted = await conn.request<ServerFrameOf<"upload_grant">>({
    type: "upload",
    id: randomId("u"),
    content_type: file.type,
    size: bytes.length,
    sha256: bytesToHex(sha256(bytes)),
    ...(file.name ? { file_name: file.name } : {}),
  });
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(granted.upload.headers)) {
    if (!BROWSER_SET.has(name.toLowerCase())) headers[name] = value;
  }
  const put = await fetch(granted.upload.url, {
    method: granted.upload.method,
    headers,
    body: bytes,
  });
  if (!put.ok) throw new Error(`storage refused the upload (${put.status})`);
  const done = await conn.request<ServerFrameOf<"media">>({
    type: "upload_done",
    id: randomId("u"),
    media_id: granted.media.media_id,
  });
  return done.media;
}

/** A short-lived URL of the full file (or of its stored thumbnail). */
export async function downloadUrl(conn: Connection, mediaId: string): Promise<string> {
  const answer = await conn.request<ServerFrameOf<"download_url">>({
    type: "download",
    id: randomId("d"),
    media_id: mediaId,
  });
  return answer.url;
}
