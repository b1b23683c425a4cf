import type { Logger } from "@parley/common";
import pLimit from "p-limit";
import { setTimeout as sleep } from "node:timers/promises";
import {
  graceOver,
  hasDevices,
  inGrace,
  wentOffline,
  type PresenceRecord,
} from "../domain/presence-record.js";
import type { Leases } from "../kv/leases.js";
import type { PresenceStore } from "../kv/presence-store.js";
import type { LastSeenStore } from "../pg/last-seen-store.js";
import type { EdgeDevices } from "./edge-devices.js";
import type { PresencePublisher } from "./publisher.js";

export interface SweeperSettings {
  intervalMs: number;
  graceMs: number;
  /** The lease TTL (PRESENCE_LEASE_TTL_MS): when a silent edge's lease ends. */
  leaseTtlMs: number;
  concurrency: number;
}

/** A user whose grace period is over, as read in this pass. */
interface Due {
  userId: string;
  record: PresenceRecord;
  recordRevision: number;
  markRevision: number;
}

/**
 * Two loops, each every interval: (1) known edges whose lease ran out
 * lose their devices (their users enter the grace period), (2) users whose
 * grace period is over go offline: last seen to Postgres first, then the
 * record by compare-and-set, and only the instance whose write won
 * publishes. The loops are independent, so a big edge's cleanup does not
 * hold up offline transitions. Every instance sweeps; the compare-and-set
 * makes that safe, and a pass that fails leaves its work to the next one.
 *
 * A dead edge's users enter the grace period as of the edge's last report,
 * not as of the cleanup: their devices were last known connected then.
 * The grace being shorter than the lease, it is over by the time the lease
 * ends, and the cleanup takes them offline in the same pass: about one
 * lease TTL after the edge's last report. That holds only for a lease this
 * sweeper saw run out: one that ended while svc-presence or NATS was down
 * (the edge may be alive and about to report) starts the grace period now,
 * so an outage longer than the lease does not flap every user.
 */
export class Sweeper {
  private stopped = false;
  private loops: Promise<void>[] = [];
  private readonly abort = new AbortController();
  private readonly limit: ReturnType<typeof pLimit>;
  /**
   * Start of the first edge pass of the current unbroken run of successful
   * ones; undefined before the first and after a failed one.
   */
  private watchingSinceMs: number | undefined;

  constructor(
    private readonly store: PresenceStore,
    private readonly leases: Leases,
    private readonly devices: EdgeDevices,
    private readonly lastSeen: LastSeenStore,
    private readonly publisher: PresencePublisher,
    private readonly settings: SweeperSettings,
    private readonly log: Logger,
  ) {
    this.limit = pLimit(settings.concurrency);
  }

  start(): void {
    this.loops = [
      this.run("edges", () => this.watchEdges()),
      this.run("grace", () => this.sweepGrace()),
    ];
  }

  /** Waits for the passes under way, then stops. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await Promise.all(this.loops);
  }

  /** One pass of both sweeps; for tests and benchmarks. */
  async pass(): Promise<void> {
    await this.sweepEdges();
    await this.sweepGrace();
  }

  private async run(sweep: string, pass: () => Promise<void>): Promise<void> {
    while (!this.stopped) {
      const started = Date.now();
      try {
        await pass();
        const tookMs = Date.now() - started;
        if (tookMs > this.settings.intervalMs)
          this.log.warn({ sweep, took_ms: tookMs }, "slow sweep");
      } catch (err) {
        this.log.warn({ sweep, err }, "sweep failed; the next one retries");
      }
      await sleep(this.settings.intervalMs, undefined, { signal: this.abort.signal }).catch(
        () => undefined,
      );
    }
  }

  /** An edge pass that keeps track of how long passes have been succeeding. */
  private async watchEdges(): Promise<void> {
    const started = Date.now();
    try {
      await this.sweepEdges();
    } catch (err) {
      this.watchingSinceMs = undefined;
      throw err;
    }
    this.watchingSinceMs ??= started;
  }

  private async sweepEdges(): Promise<void> {
    let early = false;
    for (const edgeId of await this.store.knownEdges()) {
      if (this.stopped) return;
      // The revision before the lease: an edge that comes back after its
      // lease ran out rewrites its known key (then renews the lease), so
      // the removal below, conditional on this revision, never forgets an
      // edge that reported since. The lease is asked again as well, for an
      // edge whose rewrite came just before this read.
      const known = await this.store.known(edgeId);
      if (known === null || (await this.leases.isLive(edgeId))) continue;
      const stillGone = async () => !(await this.leases.isLive(edgeId));
      const leftMs = this.leftMsOfDeadEdge(known.lastHeardMs);
      const users = await this.devices.remove(edgeId, { stillGone, leftMs });
      if (await stillGone()) await this.store.forgetKnown(edgeId, known.revision);
      early ||= leftMs !== undefined && users > 0;
      this.log.info(
        { edge_id: edgeId, users, last_heard_ms: known.lastHeardMs, grace_from_ms: leftMs },
        "edge lease ran out, its devices removed",
      );
    }
    // Grace periods that began at an edge's last report may be over already.
    if (early && !this.stopped) await this.sweepGrace();
  }

  /**
   * When a dead edge's users left: its last report, if this sweeper has
   * been passing since before the lease ran out; else undefined (now).
   */
  private leftMsOfDeadEdge(lastHeardMs: number): number | undefined {
    if (lastHeardMs <= 0 || this.watchingSinceMs === undefined) return undefined;
    return this.watchingSinceMs <= lastHeardMs + this.settings.leaseTtlMs ? lastHeardMs : undefined;
  }

  private async sweepGrace(): Promise<void> {
    const userIds = await this.store.pendingUsers();
    const found = await Promise.all(userIds.map((u) => this.limit(() => this.check(u))));
    const due = found.filter((d): d is Due => d !== null);
    if (due.length === 0 || this.stopped) return;
    // Postgres first: should it fail, the marks stay and the next pass
    // tries again; a second instance writing the same rows changes nothing.
    await this.lastSeen.save(
      due.map((d) => ({ userId: d.userId, lastSeenMs: wentOffline(d.record).last_seen_ms })),
    );
    await Promise.all(due.map((d) => this.limit(() => this.finish(d))));
  }

  /** Reads a marked user: due, or a stale mark (removed), or not yet. */
  private async check(userId: string): Promise<Due | null> {
    const nowMs = Date.now();
    const mark = await this.store.pending(userId);
    if (!mark || mark.sinceMs + this.settings.graceMs > nowMs) return null;
    const { record, revision } = await this.store.read(userId);
    if (hasDevices(record) || !inGrace(record)) {
      // Back online, or already offline: the mark outlived its purpose.
      await this.store.clearPending(userId, mark.revision);
      return null;
    }
    if (!graceOver(record, this.settings.graceMs, nowMs)) return null;
    return {
      userId,
      record,
      recordRevision: revision,
      markRevision: mark.revision,
    };
  }

  private async finish(due: Due): Promise<void> {
    const offline = wentOffline(due.record);
    // Lost to another writer (a reconnect, another sweeper): the next pass
    // looks again.
    const written = await this.store.write(due.userId, offline, due.recordRevision);
    if (written === null) return;
    this.publisher.offline(due.userId, offline.last_seen_ms, written);
    await this.store.clearPending(due.userId, due.markRevision);
  }
}
