import { createClient, type Logger } from "@parley/common";
import {
  DeliveryServiceClient,
  type SendMessageRequest,
  type SendMessageResponse,
} from "@parley/proto/parley/delivery/v1/delivery";
import { SendBatches } from "./send-batches.js";
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
  private readonly batches: SendBatches;

  constructor(
    address: string,
    deadlineMs: number,
    private readonly slots: SendSlots,
    log: Logger,
  ) {
    this.client = createClient(DeliveryServiceClient, address);
    this.batches = new SendBatches(this.client, deadlineMs, log);
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
      return await this.batches.send(request);
    } finally {
      this.slots.release();
    }
  }

  close(): void {
    this.client.close();
  }
}
