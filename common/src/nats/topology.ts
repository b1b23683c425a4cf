import {
  AckPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  DeliverPolicy,
  DiscardPolicy,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type JetStreamManager,
  type StreamConfig,
} from "@nats-io/jetstream";
import { createHash } from "node:crypto";
import type { Logger } from "pino";

/**
 * Header of a message published on a user's live subject that is not an
 * inbox entry (typing, for one): it carries no inbox sequence, is never
 * stored and is never acked. Its value names the kind.
 */
export const EPHEMERAL_HEADER = "Parley-Ephemeral";

const NS_PATTERN = /^[a-z][a-z0-9_]{0,31}$/;
const SECOND_NS = 1_000_000_000;

export interface TopologyOptions {
  /** Prefix of every subject, stream, consumer and bucket: runs side by side. */
  namespace: string;
  /** Number of MESSAGES partitions; fixed for the life of a deployment. */
  partitions: number;
  /** Stream replicas (1 on one machine, 3 in a cluster). */
  replicas: number;
  /** How long a send's idempotency key is remembered by MESSAGES. */
  sendDedupWindowMs: number;
  /** How long undelivered entries stay in a user's inbox. */
  inboxMaxAgeMs: number;
  /**
   * How long a fanout entry may stay unacked before JetStream hands it out
   * again (10 s by default). It bounds the stall after a fanout crash; a
   * spurious redelivery costs only deduplicated inbox writes.
   */
  fanoutAckWaitMs?: number;
  /** The same for svc-history's consumer (30 s by default). */
  historyAckWaitMs?: number;
}

/**
 * Names of every subject, stream, consumer and bucket of one Parley
 * deployment. All services derive them from the same options, so they agree.
 */
export class Topology {
  readonly ns: string;
  readonly messagesStream: string;
  readonly inboxStream: string;
  readonly cursorBucket: string;
  /** KV bucket of users' presence records (svc-presence). */
  readonly presenceBucket: string;
  /** KV bucket of edge leases, with a bucket-wide TTL (svc-presence). */
  readonly presenceLeaseBucket: string;
  readonly historyConsumer = "history";

  constructor(readonly options: TopologyOptions) {
    if (!NS_PATTERN.test(options.namespace)) {
      throw new Error(`namespace must match ${NS_PATTERN}: ${options.namespace}`);
    }
    if (!Number.isInteger(options.partitions) || options.partitions < 1) {
      throw new Error(`partitions must be a positive integer: ${options.partitions}`);
    }
    this.ns = options.namespace;
    const upper = this.ns.toUpperCase();
    this.messagesStream = `${upper}_MESSAGES`;
    this.inboxStream = `${upper}_INBOX`;
    this.cursorBucket = `${this.ns}_cursors`;
    this.presenceBucket = `${this.ns}_presence`;
    this.presenceLeaseBucket = `${this.ns}_presence_leases`;
  }

  /**
   * The partition of a conversation. Every event of a conversation lands in
   * one partition, and each partition is consumed in order, so fanout keeps
   * one order per conversation while partitions spread across instances.
   */
  partitionOf(conversationId: string): number {
    const digest = createHash("sha1").update(conversationId).digest();
    return digest.readUInt32BE(0) % this.options.partitions;
  }

  messageSubject(conversationId: string): string {
    return `${this.ns}.msgs.${this.partitionOf(conversationId)}.${conversationId}`;
  }

  partitionFilter(partition: number): string {
    return `${this.ns}.msgs.${partition}.>`;
  }

  fanoutConsumer(partition: number): string {
    return `fanout-p${partition}`;
  }

  inboxSubject(userId: string): string {
    return `${this.ns}.inbox.${userId}`;
  }

  /** Core subject on which the INBOX stream republishes a user's entries. */
  liveSubject(userId: string): string {
    return `${this.ns}.live.${userId}`;
  }

  /**
   * Core subject on which svc-history announces that a conversation's
   * membership changed, so that caches of it (svc-delivery's) drop it.
   */
  membershipChangedSubject(conversationId: string): string {
    return `${this.ns}.membership.${conversationId}`;
  }

  membershipChangedFilter(): string {
    return `${this.ns}.membership.>`;
  }

  /** Core subject of a user's presence changes (a UserPresence each). */
  presenceSubject(userId: string): string {
    return `${this.ns}.presence.${userId}`;
  }

  /** Key of a device's delivery cursor in the cursor bucket. */
  cursorKey(userId: string, deviceId: string): string {
    return `${userId}.${deviceId}`;
  }

  messagesStreamConfig(): Partial<StreamConfig> & { name: string } {
    return {
      name: this.messagesStream,
      subjects: [`${this.ns}.msgs.>`],
      // A transit log: an entry leaves once fanout and history acked it.
      retention: RetentionPolicy.Interest,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      num_replicas: this.options.replicas,
      duplicate_window: this.options.sendDedupWindowMs * 1_000_000,
    };
  }

  inboxStreamConfig(): Partial<StreamConfig> & { name: string } {
    return {
      name: this.inboxStream,
      subjects: [`${this.ns}.inbox.>`],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      num_replicas: this.options.replicas,
      max_age: this.options.inboxMaxAgeMs * 1_000_000,
      // Fanout retries of one event reuse the inbox message id: no doubles.
      duplicate_window: 10 * 60 * SECOND_NS,
      // Headers carry Nats-Sequence and Nats-Last-Sequence (per subject), so
      // an edge on the live subject can tell when it missed an entry.
      republish: { src: `${this.ns}.inbox.>`, dest: `${this.ns}.live.>` },
    };
  }

  /** Durable consumers of MESSAGES; they must exist before the first send. */
  messagesConsumers(): Partial<ConsumerConfig>[] {
    const durable = (name: string, ackWaitMs: number, filter?: string) => ({
      durable_name: name,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: ackWaitMs * 1_000_000,
      max_ack_pending: 10_000,
      ...(filter ? { filter_subject: filter } : {}),
    });
    const fanoutWait = this.options.fanoutAckWaitMs ?? 10_000;
    const fanout = Array.from({ length: this.options.partitions }, (_, p) =>
      durable(this.fanoutConsumer(p), fanoutWait, this.partitionFilter(p)),
    );
    const history = durable(this.historyConsumer, this.options.historyAckWaitMs ?? 30_000);
    return [...fanout, history];
  }
}

/** Called with each setting where a live stream or consumer differs. */
export type DriftListener = (drift: { resource: string; setting: string }) => void;

/** A DriftListener that warns in the service's log. */
export function warnOnDrift(log: Logger): DriftListener {
  return (drift) => log.warn(drift, "nats topology differs from this process's settings");
}

/**
 * Creates the streams and durable consumers that are missing. Idempotent;
 * every service runs it at start, since MESSAGES drops entries that no
 * consumer is interested in. What exists is never rewritten: a process with
 * default settings must not downgrade a production stream (replicas, the
 * offline window). Settings that differ from this process's are reported
 * through `onDrift`; changing them is a deliberate operator step.
 */
export async function ensureTopology(
  jsm: JetStreamManager,
  topology: Topology,
  onDrift: DriftListener = () => undefined,
): Promise<void> {
  for (const config of [topology.messagesStreamConfig(), topology.inboxStreamConfig()]) {
    const existing = await jsm.streams
      .info(config.name)
      .catch(nullIf(JetStreamApiCodes.StreamNotFound));
    if (!existing) await jsm.streams.add(config);
    else reportDrift(`stream ${config.name}`, config, existing.config, onDrift);
  }
  for (const consumer of topology.messagesConsumers()) {
    const name = consumer.durable_name as string;
    const existing = await jsm.consumers
      .info(topology.messagesStream, name)
      .catch(nullIf(JetStreamApiCodes.ConsumerNotFound));
    if (!existing) await jsm.consumers.add(topology.messagesStream, consumer);
    else reportDrift(`consumer ${name}`, consumer, existing.config, onDrift);
  }
}

/** Settings compared between what this process wants and what exists. */
const COMPARED = [
  "subjects",
  "retention",
  "num_replicas",
  "max_age",
  "duplicate_window",
  "ack_wait",
  "filter_subject",
  "max_ack_pending",
] as const;

function reportDrift(
  resource: string,
  wanted: object,
  actual: object,
  onDrift: DriftListener,
): void {
  for (const setting of COMPARED) {
    if (!(setting in wanted)) continue;
    const want = JSON.stringify((wanted as Record<string, unknown>)[setting]);
    const have = JSON.stringify((actual as Record<string, unknown>)[setting]);
    if (want !== have) onDrift({ resource, setting: `${setting}: want ${want}, have ${have}` });
  }
}

/** A catch handler that turns one JetStream API error code into null. */
function nullIf(code: number) {
  return (err: unknown): null => {
    if (err instanceof JetStreamApiError && err.code === code) return null;
    throw err;
  };
}
