import { ErrorCode, ParleyError } from "@parley/common";
import type { MediaClient } from "../grpc/media-client.js";
import { mediaViewOfMedia } from "../ws/views.js";
import type { Connection } from "../ws/connection.js";
import type { DownloadFrame, UploadDoneFrame, UploadFrame } from "../ws/frames.js";

/** Asks svc-media for an upload grant as the connection's user. */
export async function handleUpload(
  conn: Connection,
  frame: UploadFrame,
  media: MediaClient,
): Promise<void> {
  const answer = await media.createUpload({
    ownerId: conn.deviceSession.identity.userId,
    contentType: frame.content_type,
    sizeBytes: frame.size,
    sha256: frame.sha256,
    fileName: frame.file_name ?? "",
  });
  if (!answer.media || !answer.grant) throw incomplete("CreateUpload");
  conn.send({
    type: "upload_grant",
    id: frame.id,
    media: mediaViewOfMedia(answer.media),
    upload: {
      method: answer.grant.method,
      url: answer.grant.url,
      headers: answer.grant.headers,
      expires_at: answer.grant.expiresAtMs,
    },
  });
}

/** Reports the upload done; svc-media verifies the stored bytes. */
export async function handleUploadDone(
  conn: Connection,
  frame: UploadDoneFrame,
  media: MediaClient,
): Promise<void> {
  const answer = await media.completeUpload({
    ownerId: conn.deviceSession.identity.userId,
    mediaId: frame.media_id,
  });
  if (!answer.media) throw incomplete("CompleteUpload");
  conn.send({ type: "media", id: frame.id, media: mediaViewOfMedia(answer.media) });
}

/** A short-lived download URL, if the user may see the media. */
export async function handleDownload(
  conn: Connection,
  frame: DownloadFrame,
  media: MediaClient,
): Promise<void> {
  const answer = await media.getDownload({
    userId: conn.deviceSession.identity.userId,
    mediaId: frame.media_id,
    thumbnail: frame.thumbnail,
  });
  conn.send({
    type: "download_url",
    id: frame.id,
    media_id: frame.media_id,
    url: answer.url,
    expires_at: answer.expiresAtMs,
  });
}

function incomplete(call: string): ParleyError {
  return new ParleyError(ErrorCode.Internal, `${call} answered without its result`);
}
