import { callUnary, createClient } from "@parley/common";
import {
  DeliveryServiceClient,
  type SendMessageRequest,
  type SendMessageResponse,
} from "@parley/proto/parley/delivery/v1/delivery";
import { EdgeOverloaded } from "../errors.js";

/**
 * svc-delivery as the edge sees it. Sends in flight are bounded: past the
 * bound a send is refused at once (unavailable, so the client retries),
 * because queueing more only makes every send late, and thousands of calls
 * passing their deadline together reset the HTTP/2 connection that all of
 * them share, failing the ones delivery was still answering.
 */
export class DeliveryClient {
  private readonly client: DeliveryServiceClient;
  private inFlight = 0;

  constructor(
    address: string,
    private readonly deadlineMs: number,
    private readonly maxInFlight: number,
  ) {
    this.client = createClient(DeliveryServiceClient, address);
  }

  /** Sends a message; rejects with a ParleyError carrying the catalogue code. */
  async send(request: SendMessageRequest): Promise<SendMessageResponse> {
    if (this.inFlight >= this.maxInFlight) {
      throw new EdgeOverloaded();
    }
    this.inFlight++;
    try {
      return await callUnary(this.client, this.client.sendMessage, request, this.deadlineMs);
    } finally {
      this.inFlight--;
    }
  }

  close(): void {
    this.client.close();
  }
}
