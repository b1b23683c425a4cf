import type { KV } from "@nats-io/kv";

/**
 * Edge leases: key `<edge>` in the lease bucket, rewritten by each report.
 * The bucket's TTL removes a key nobody rewrote, so a lease is live exactly
 * while its edge keeps reporting.
 */
export class Leases {
  constructor(private readonly kv: KV) {}

  async isLive(edgeId: string): Promise<boolean> {
    const entry = await this.kv.get(edgeId);
    return entry !== null && entry.operation === "PUT";
  }

  async renew(edgeId: string, nowMs: number): Promise<void> {
    await this.kv.put(edgeId, String(nowMs));
  }

  /** Ends a lease at once (an edge's goodbye). */
  async end(edgeId: string): Promise<void> {
    await this.kv.delete(edgeId);
  }
}
