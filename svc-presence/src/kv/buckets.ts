import type { JetStreamManager } from "@nats-io/jetstream";
import { Kvm, type KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Logger, Topology } from "@parley/common";

export interface PresenceBuckets {
  /** Records, index and known-edge keys; no TTL. */
  presence: KV;
  /** Pending-offline marks; a bucket TTL ages the marks and their delete markers out. */
  pending: KV;
  /** One key per edge, renewed by each report; the bucket's TTL ends it. */
  leases: KV;
}

/**
 * The pending-offline marks' bucket, beside the presence bucket (a
 * svc-presence name, so it lives here rather than in the shared Topology).
 */
export function pendingBucketName(topology: Topology): string {
  return `${topology.presenceBucket}_pending`;
}

/**
 * How long a pending mark (and the delete marker its removal leaves)
 * lives: far beyond the grace period, so only a sweeper stopped that long
 * misses a mark; short enough that marks never pile up.
 */
export function pendingTtlMs(graceMs: number): number {
  return Math.max(3_600_000, 20 * graceMs);
}

/**
 * Opens the buckets, creating them when missing. The lease bucket's TTL
 * (its stream's max_age) is what ends a silent edge: NATS 2.9 ignores
 * per-key TTLs, but expires a KV bucket's messages by max_age promptly (a
 * key renewed last at t is gone at t + TTL, measured within tens of ms).
 * An existing bucket is not rewritten; a TTL that differs is reported.
 */
export async function openBuckets(
  nc: NatsConnection,
  jsm: JetStreamManager,
  topology: Topology,
  settings: { leaseTtlMs: number; pendingTtlMs: number; replicas: number },
  log: Logger,
): Promise<PresenceBuckets> {
  const kvm = new Kvm(nc);
  const common = { history: 1, replicas: settings.replicas };
  const presence = await kvm.create(topology.presenceBucket, common);
  const pendingName = pendingBucketName(topology);
  const pending = await kvm.create(pendingName, { ...common, ttl: settings.pendingTtlMs });
  const leases = await kvm.create(topology.presenceLeaseBucket, {
    ...common,
    ttl: settings.leaseTtlMs,
  });
  await checkTtl(
    jsm,
    topology.presenceLeaseBucket,
    settings.leaseTtlMs,
    "PRESENCE_LEASE_TTL_MS",
    log,
  );
  await checkTtl(
    jsm,
    pendingName,
    settings.pendingTtlMs,
    "max(1 h, 20 × PRESENCE_OFFLINE_GRACE_MS)",
    log,
  );
  return { presence, pending, leases };
}

async function checkTtl(
  jsm: JetStreamManager,
  bucket: string,
  wantMs: number,
  from: string,
  log: Logger,
): Promise<void> {
  const info = await jsm.streams.info(`KV_${bucket}`);
  const haveMs = info.config.max_age / 1_000_000;
  if (haveMs !== wantMs) {
    log.warn(
      { bucket, want_ms: wantMs, have_ms: haveMs },
      `bucket TTL differs from ${from}; the bucket's applies`,
    );
  }
}
