import { callUnary, createClient } from "@parley/common";
import {
  DeliveryServiceClient,
  type SendMessageRequest,
  type SendMessageResponse,
} from "@parley/proto/parley/delivery/v1/delivery";

/** svc-delivery as the edge sees it. */
export class DeliveryClient {
  private readonly client: DeliveryServiceClient;

  constructor(
    address: string,
    private readonly deadlineMs: number,
  ) {
    this.client = createClient(DeliveryServiceClient, address);
  }

  /** Sends a message; rejects with a ParleyError carrying the catalogue code. */
  send(request: SendMessageRequest): Promise<SendMessageResponse> {
    return callUnary(this.client, this.client.sendMessage, request, this.deadlineMs);
  }

  close(): void {
    this.client.close();
  }
}
