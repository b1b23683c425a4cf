import { ParleyError, requireId, unary, type GrpcService, type Logger } from "@parley/common";
import {
  MediaServiceService,
  type AttachMediaRequest,
  type AttachMediaResponse,
  type CompleteUploadRequest,
  type CompleteUploadResponse,
  type CreateUploadRequest,
  type CreateUploadResponse,
  type GetDownloadRequest,
  type GetDownloadResponse,
} from "@parley/proto/parley/media/v1/media";
import { requireMediaId } from "../domain/ids.js";
import { toMedia } from "../domain/media-record.js";
import type { Attachments } from "../media/attachments.js";
import type { Completion } from "../media/completion.js";
import type { Downloads } from "../media/downloads.js";
import type { Uploads } from "../media/uploads.js";
import { completions, grants } from "../metrics.js";

export interface MediaServiceDeps {
  uploads: Uploads;
  completion: Completion;
  attachments: Attachments;
  downloads: Downloads;
  log: Logger;
}

/**
 * Postgres or storage failing is the service's trouble, not the caller's:
 * UNAVAILABLE, so callers retry. A ParleyError passes unchanged.
 */
function backendFailure(reason: string) {
  return (err: unknown): never => {
    throw err instanceof ParleyError ? err : ParleyError.unavailable(reason, err);
  };
}

/** parley.media.v1.MediaService. */
export function mediaService(deps: MediaServiceDeps): GrpcService {
  const { log } = deps;

  const createUpload = async (request: CreateUploadRequest): Promise<CreateUploadResponse> => {
    const granted = await deps.uploads
      .create(request)
      .catch(backendFailure("the upload cannot be granted now; retry"));
    grants.add(1, { kind: "upload" });
    return granted;
  };

  const completeUpload = async (
    request: CompleteUploadRequest,
  ): Promise<CompleteUploadResponse> => {
    const ownerId = requireId("owner_id", request.ownerId);
    const mediaId = requireMediaId(request.mediaId);
    try {
      const record = await deps.completion.complete(ownerId, mediaId);
      completions.add(1, { result: "ready" });
      return { media: toMedia(record) };
    } catch (err) {
      const reason = err instanceof ParleyError ? err.code : "unavailable";
      completions.add(1, { result: "refused", reason });
      return backendFailure("the upload cannot be checked now; retry")(err);
    }
  };

  const attachMedia = async (request: AttachMediaRequest): Promise<AttachMediaResponse> => {
    const attachment = await deps.attachments
      .attach(request)
      .catch(backendFailure("the media cannot be checked now; retry"));
    return { attachment };
  };

  const getDownload = async (request: GetDownloadRequest): Promise<GetDownloadResponse> => {
    const granted = await deps.downloads
      .grant(request)
      .catch(backendFailure("the download cannot be granted now; retry"));
    grants.add(1, { kind: "download" });
    return granted;
  };

  return {
    name: "parley.media.v1.MediaService",
    definition: MediaServiceService,
    implementation: {
      createUpload: unary("CreateUpload", log, createUpload),
      completeUpload: unary("CompleteUpload", log, completeUpload),
      attachMedia: unary("AttachMedia", log, attachMedia),
      getDownload: unary("GetDownload", log, getDownload),
    },
  };
}
