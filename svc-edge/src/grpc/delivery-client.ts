import { callUnary, createClient } from "@parley/common";
import {
  DeliveryServiceClient,
  type SendMessageRequest,
  type SendMessageResponse,
} from "@parley/proto/parley/delivery/v1/delivery";
import type { SendSlots } from "./send-slots.js";

/** A connection whose reading can stop while its send waits for a slot. */
export interface PausableReader {
  pauseReading(): void;
  resumeReading(): void;
}

/**
 * svc-delivery as the edge sees it. Sends in progress are bounded by
 * `slots`: queueing them all on the HTTP/2 connection would make every send
 * late, and thousands of calls passing their deadline together reset the
 * connection that all of them share, failing the ones delivery was still
 * answering. A send waits for a slot before its call (and its deadline)
 * starts.
 */
export class DeliveryClient {
  private readonly client: DeliveryServiceClient;

  constructor(
    address: string,
    private readonly deadlineMs: number,
    private readonly slots: SendSlots,
  ) {
    this.client = createClient(DeliveryServiceClient, address);
  }

  /**
   * Sends a message; rejects with a ParleyError carrying the catalogue code
   * (EdgeOverloaded when too many sends wait already). While the send waits
   * for a slot, `sender` stops reading.
   */
  async send(request: SendMessageRequest, sender?: PausableReader): Promise<SendMessageResponse> {
    const turn = this.slots.acquire();
    if (turn) {
      sender?.pauseReading();
      try {
        await turn;
      } finally {
        sender?.resumeReading();
      }
    }
    try {
      return await callUnary(this.client, this.client.sendMessage, request, this.deadlineMs);
    } finally {
      this.slots.release();
    }
  }

  close(): void {
    this.client.close();
  }
}
