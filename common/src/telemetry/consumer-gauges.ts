import type { ConsumerInfo } from "@nats-io/jetstream";
import { parleyMeter } from "./instruments.js";

type InfoSource = () => Promise<ConsumerInfo>;

/**
 * JetStream consumer backlog as gauges, read from the consumers' info when
 * metrics are collected (each scrape or export, so no timer of its own):
 * entries not yet delivered, delivered but unacked, and redelivered ones.
 * A consumer whose info cannot be read is left out of that collection.
 */
export class ConsumerGauges {
  private readonly sources = new Map<string, InfoSource>();

  constructor() {
    const meter = parleyMeter();
    const pending = meter.createObservableGauge("parley.jetstream.consumer.pending", {
      description: "Entries of the stream the consumer has not been given yet.",
      unit: "{entry}",
    });
    const ackPending = meter.createObservableGauge("parley.jetstream.consumer.ack_pending", {
      description: "Entries given to the consumer and not acked yet.",
      unit: "{entry}",
    });
    const redelivered = meter.createObservableGauge("parley.jetstream.consumer.redelivered", {
      description: "Entries given out more than once and still unacked.",
      unit: "{entry}",
    });
    meter.addBatchObservableCallback(
      async (result) => {
        const reads = [...this.sources].map(async ([consumer, read]) => {
          const info = await read().catch(() => undefined);
          if (!info) return;
          const attributes = { consumer, stream: info.stream_name };
          result.observe(pending, info.num_pending, attributes);
          result.observe(ackPending, info.num_ack_pending, attributes);
          result.observe(redelivered, info.num_redelivered, attributes);
        });
        await Promise.all(reads);
      },
      [pending, ackPending, redelivered],
    );
  }

  /** Reports the consumer from now on; `read` answers its current info. */
  track(consumer: string, read: InfoSource): void {
    this.sources.set(consumer, read);
  }
}
