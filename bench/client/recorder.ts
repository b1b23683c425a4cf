// What a worker's devices received and how long it took: interval
// counters and latency histograms (reset by each snapshot), and the
// cumulative ledger of message ids that the coordinator checks for loss
// and duplicates.
import { build, encodeIntoCompressedBase64, type Histogram } from "hdr-histogram-js";
import type { IntervalStats, Ledger } from "./commands.js";
import type { ReceivedMessage } from "./device.js";

/** A histogram of latencies in microseconds, up to one minute. */
export function latencyHistogram(): Histogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000 });
}

/** Wall-clock time in µs: comparable between processes on one host. */
export const wallMicros = () => Math.round((performance.timeOrigin + performance.now()) * 1000);

/**
 * A message body of `bytes` characters carrying its send time, so the
 * recipient (in another process) can time the delivery.
 */
export function timedBody(bytes: number): string {
  return `${wallMicros()}|`.padEnd(bytes, ".");
}

/** Client message ids are "<tag>-<seq>": the conversation of the plan and a counter. */
export function clientId(tag: string, seq: number): string {
  return `${tag}-${seq}`;
}

export class Recorder {
  private counters = zero();
  private ackLatency = latencyHistogram();
  private receiveLatency = latencyHistogram();
  /** Per recipient, per "sender|tag": the sequence numbers seen. */
  private readonly seen = new Map<string, Map<string, Set<number>>>();
  /** Distinct messages per recipient, for "has everything arrived" checks. */
  readonly perUser = new Map<string, number>();
  private duplicatesTotal = 0;

  /** A message arrived at `user`'s device; returns false for duplicates. */
  received(user: string, message: ReceivedMessage): boolean {
    if (message.body === undefined || message.from === user) return true;
    const dash = message.client_id.lastIndexOf("-");
    const tag = message.client_id.slice(0, dash);
    const seq = Number(message.client_id.slice(dash + 1));
    let byKey = this.seen.get(user);
    if (!byKey) this.seen.set(user, (byKey = new Map()));
    const key = `${message.from}|${tag}`;
    let seqs = byKey.get(key);
    if (!seqs) byKey.set(key, (seqs = new Set()));
    if (seqs.has(seq)) {
      this.counters.duplicates++;
      this.duplicatesTotal++;
      return false;
    }
    seqs.add(seq);
    this.perUser.set(user, (this.perUser.get(user) ?? 0) + 1);
    this.counters.received++;
    if (tag.startsWith("g")) this.counters.groupReceived++;
    const sentAt = Number(message.body.slice(0, message.body.indexOf("|")));
    if (sentAt > 0) this.receiveLatency.recordValue(Math.max(1, wallMicros() - sentAt));
    return true;
  }

  sent(): void {
    this.counters.sent++;
  }

  acked(micros: number): void {
    this.counters.acked++;
    this.ackLatency.recordValue(Math.max(1, micros));
  }

  retried(): void {
    this.counters.retries++;
  }

  failed(): void {
    this.counters.errors++;
  }

  /** This interval's counters and histograms; starts the next interval. */
  snapshot(): IntervalStats {
    const stats: IntervalStats = {
      ...this.counters,
      ackLatency: encodeIntoCompressedBase64(this.ackLatency),
      receiveLatency: encodeIntoCompressedBase64(this.receiveLatency),
    };
    this.counters = zero();
    this.ackLatency.reset();
    this.receiveLatency.reset();
    return stats;
  }

  /** Distinct sequence numbers per recipient and "sender|tag". */
  ledger(): { received: Ledger; duplicates: number } {
    const received: Ledger = {};
    for (const [user, byKey] of this.seen) {
      received[user] = {};
      for (const [key, seqs] of byKey) received[user][key] = seqs.size;
    }
    return { received, duplicates: this.duplicatesTotal };
  }
}

function zero() {
  return { sent: 0, acked: 0, received: 0, groupReceived: 0, duplicates: 0, retries: 0, errors: 0 };
}
