import type { JetStreamManager } from "@nats-io/jetstream";
import { Kvm, type KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Logger, Topology } from "@parley/common";

export interface PresenceBuckets {
  /** Records, index, known-edge and pending-offline keys; no TTL. */
  presence: KV;
  /** One key per edge, renewed by each report; the bucket's TTL ends it. */
  leases: KV;
}

/**
 * Opens both buckets, creating them when missing. The lease bucket's TTL
 * (its stream's max_age) is what ends a silent edge: NATS 2.9 ignores
 * per-key TTLs, but expires a KV bucket's messages by max_age promptly (a
 * key renewed last at t is gone at t + TTL, measured within tens of ms).
 * An existing bucket is not rewritten; a TTL that differs is reported.
 */
export async function openBuckets(
  nc: NatsConnection,
  jsm: JetStreamManager,
  topology: Topology,
  settings: { leaseTtlMs: number; replicas: number },
  log: Logger,
): Promise<PresenceBuckets> {
  const kvm = new Kvm(nc);
  const common = { history: 1, replicas: settings.replicas };
  const presence = await kvm.create(topology.presenceBucket, common);
  const leases = await kvm.create(topology.presenceLeaseBucket, {
    ...common,
    ttl: settings.leaseTtlMs,
  });
  const info = await jsm.streams.info(`KV_${topology.presenceLeaseBucket}`);
  const haveMs = info.config.max_age / 1_000_000;
  if (haveMs !== settings.leaseTtlMs) {
    log.warn(
      { bucket: topology.presenceLeaseBucket, want_ms: settings.leaseTtlMs, have_ms: haveMs },
      "lease bucket TTL differs from PRESENCE_LEASE_TTL_MS; the bucket's applies",
    );
  }
  return { presence, leases };
}
