import { callUnary, createClient } from "@parley/common";
import {
  PresenceServiceClient,
  type GetPresenceRequest,
  type GetPresenceResponse,
  type ReportPresenceRequest,
  type ReportPresenceResponse,
} from "@parley/proto/parley/presence/v1/presence";

/**
 * svc-presence as the edge sees it. Every call rejects with a ParleyError
 * carrying the catalogue code. ReportPresence has a deadline of its own,
 * well under svc-presence's lease TTL, so that a stuck report is given up
 * (and the reporter starts over under a new edge id) before the lease of
 * the edge runs out.
 */
export class PresenceClient {
  private readonly client: PresenceServiceClient;

  constructor(
    address: string,
    private readonly deadlineMs: number,
    private readonly reportDeadlineMs: number,
  ) {
    this.client = createClient(PresenceServiceClient, address);
  }

  reportPresence(request: ReportPresenceRequest): Promise<ReportPresenceResponse> {
    return callUnary(this.client, this.client.reportPresence, request, this.reportDeadlineMs);
  }

  getPresence(request: GetPresenceRequest): Promise<GetPresenceResponse> {
    return callUnary(this.client, this.client.getPresence, request, this.deadlineMs);
  }

  close(): void {
    this.client.close();
  }
}
