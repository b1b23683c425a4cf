import { callUnary, createClient } from "@parley/common";
import {
  HistoryServiceClient,
  type GetHistoryRequest,
  type GetHistoryResponse,
} from "@parley/proto/parley/history/v1/history";

/** svc-history as the edge sees it. */
export class HistoryClient {
  private readonly client: HistoryServiceClient;

  constructor(
    address: string,
    private readonly deadlineMs: number,
  ) {
    this.client = createClient(HistoryServiceClient, address);
  }

  /** Reads one page; rejects with a ParleyError carrying the catalogue code. */
  getHistory(request: GetHistoryRequest): Promise<GetHistoryResponse> {
    return callUnary(this.client, this.client.getHistory, request, this.deadlineMs);
  }

  close(): void {
    this.client.close();
  }
}
