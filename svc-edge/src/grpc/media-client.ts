import { callUnary, createClient } from "@parley/common";
import {
  MediaServiceClient,
  type CompleteUploadRequest,
  type CompleteUploadResponse,
  type CreateUploadRequest,
  type CreateUploadResponse,
  type GetDownloadRequest,
  type GetDownloadResponse,
} from "@parley/proto/parley/media/v1/media";

/**
 * svc-media as the edge sees it: grants, completion and downloads for the
 * connection's user. The bytes never pass through the edge. Every call
 * rejects with a ParleyError carrying the catalogue code.
 */
export class MediaClient {
  private readonly client: MediaServiceClient;

  constructor(
    address: string,
    private readonly deadlineMs: number,
  ) {
    this.client = createClient(MediaServiceClient, address);
  }

  createUpload(request: CreateUploadRequest): Promise<CreateUploadResponse> {
    return callUnary(this.client, this.client.createUpload, request, this.deadlineMs);
  }

  completeUpload(request: CompleteUploadRequest): Promise<CompleteUploadResponse> {
    return callUnary(this.client, this.client.completeUpload, request, this.deadlineMs);
  }

  getDownload(request: GetDownloadRequest): Promise<GetDownloadResponse> {
    return callUnary(this.client, this.client.getDownload, request, this.deadlineMs);
  }

  close(): void {
    this.client.close();
  }
}
