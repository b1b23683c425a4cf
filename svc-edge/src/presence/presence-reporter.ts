import { randomBytes } from "node:crypto";
import type { Logger } from "@parley/common";
import type {
  DeviceEvent,
  ReportPresenceRequest,
  ReportPresenceResponse,
} from "@parley/proto/parley/presence/v1/presence";
import type { DeviceRegistryListener } from "../ws/device-registry.js";

/** Where reports go (svc-presence's ReportPresence). */
export interface PresenceReports {
  reportPresence(request: ReportPresenceRequest): Promise<ReportPresenceResponse>;
}

export interface PresenceReporterOptions {
  /** One report per interval, even an empty one: it renews the edge's lease. */
  intervalMs: number;
  /** Most events per call; a longer report is split into several calls. */
  maxEventsPerCall: number;
  /** Makes an edge id: one at start, a fresh one for each snapshot after. Random by default. */
  newEdgeId?: () => string;
}

/**
 * Pending events beyond this many calls' worth (svc-presence unreachable
 * for long) are dropped in favour of a snapshot: it says the same in at
 * most one entry per connected device, so memory stays bounded.
 */
const MAX_PENDING_CALLS = 10;

/**
 * Replaced edge ids kept for their goodbye while svc-presence cannot be
 * reached (one more per failed interval). Older ones are forgotten: their
 * leases have run out by then and svc-presence's sweeper removed them.
 */
const MAX_RETIRED_IDS = 10;

/**
 * Tells svc-presence which devices are connected to this edge process, in
 * one ReportPresence call per interval for all of them (not one per user):
 * the ordered connects and disconnects since the last report.
 *
 * Whenever svc-presence's view of the edge may be wrong, the reporter
 * starts over under a fresh edge id with a snapshot (every device connected
 * now, read from the device registry): when svc-presence asks for it (the
 * lease ran out), when too many events piled up, and after any failed
 * call. A failed or timed-out call may still be applied later, so sending
 * its events again could put a connect after its disconnect and leave a
 * phantom device; and a snapshot under the old id would race the sweeper
 * removing that id. Once the snapshot went through, the old id gets a
 * best-effort goodbye (else its lease runs out). The new id has no devices
 * yet, so a split snapshot's later parts are plain connects.
 *
 * Device keys are the registry's (`<user>.<device>`: ids have no dots).
 */
export class PresenceReporter implements DeviceRegistryListener {
  private id: string;
  /** Whether a call went out under `id` (the first snapshot keeps the start id). */
  private used = false;
  /** Earlier ids waiting for their goodbye, oldest first. */
  private retired: string[] = [];
  private events: DeviceEvent[] = [];
  private snapshotDue = true;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private stopped = false;
  private readonly newEdgeId: () => string;

  constructor(
    private readonly service: PresenceReports,
    /** The keys of every device connected now (DeviceRegistry.keys). */
    private readonly connectedDevices: () => Iterable<string>,
    private readonly options: PresenceReporterOptions,
    private readonly log: Logger,
  ) {
    this.newEdgeId = options.newEdgeId ?? (() => `e${randomBytes(8).toString("hex")}`);
    this.id = this.newEdgeId();
  }

  /** The id reports go under now; it changes with each snapshot after the first. */
  get edgeId(): string {
    return this.id;
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs);
    this.timer.unref();
  }

  connected(key: string): void {
    this.record(key, true);
  }

  disconnected(key: string): void {
    this.record(key, false);
  }

  /** Events waiting for the next report. */
  get pending(): number {
    return this.events.length;
  }

  /**
   * One interval's report; skipped while the previous one is still out, so
   * reports never overtake each other. Never rejects.
   */
  tick(): Promise<void> {
    if (this.stopped || this.inFlight) return Promise.resolve();
    const report = this.report().finally(() => (this.inFlight = undefined));
    this.inFlight = report;
    return report;
  }

  /**
   * Stops reporting and says goodbye: svc-presence removes every device of
   * this edge at once (its users still get the grace period), instead of
   * waiting for the lease to run out. Call it after the sockets closed and
   * before the gRPC client closes.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.inFlight;
    this.events = [];
    this.retired.unshift(this.id);
    await this.sayGoodbyes();
  }

  private record(key: string, connected: boolean): void {
    // A snapshot to come is read from the registry: nothing to remember.
    if (this.stopped || this.snapshotDue) return;
    this.events.push(deviceEvent(key, connected));
    if (this.events.length > this.pendingLimit()) this.snapshotNext();
  }

  private async report(): Promise<void> {
    if (this.snapshotDue) return this.snapshot();
    const events = this.events;
    this.events = [];
    for (const chunk of split(events, this.options.maxEventsPerCall)) {
      const answer = await this.send(chunk, false);
      // Failed: the snapshot replaces these events and what follows them.
      if (!answer) return this.snapshotNext();
      if (answer.snapshotRequired) {
        this.log.info({ edge_id: this.id }, "svc-presence asked for a snapshot");
        // At once, not at the next interval: svc-presence has dropped this
        // edge's devices, so its users are already in their grace period.
        this.snapshotNext();
        return this.snapshot();
      }
    }
  }

  /** Every connected device under a fresh id, then goodbye to the old ones. */
  private async snapshot(): Promise<void> {
    this.renewId();
    this.snapshotDue = false;
    this.events = [];
    const devices = Array.from(this.connectedDevices(), (key) => deviceEvent(key, true));
    for (const [i, chunk] of split(devices, this.options.maxEventsPerCall).entries()) {
      const answer = await this.send(chunk, i === 0);
      // A snapshot's first part is never answered snapshot_required; a
      // later part is only if the lease ran out in between. Either way the
      // next interval starts over under yet another id.
      if (!answer || answer.snapshotRequired) return this.snapshotNext();
    }
    await this.sayGoodbyes();
  }

  /** One call under the current id; undefined when it failed (logged). */
  private async send(
    events: DeviceEvent[],
    snapshot: boolean,
  ): Promise<ReportPresenceResponse | undefined> {
    this.used = true;
    try {
      return await this.service.reportPresence({
        edgeId: this.id,
        events,
        snapshot,
        goodbye: false,
      });
    } catch (err) {
      this.log.warn(
        { err, edge_id: this.id, events: events.length, snapshot },
        "presence report failed; a snapshot under a new edge id follows",
      );
      return undefined;
    }
  }

  /** Retires the current id, unless nothing was sent under it yet. */
  private renewId(): void {
    if (!this.used) return;
    this.retired.push(this.id);
    this.retired.splice(0, this.retired.length - MAX_RETIRED_IDS);
    this.id = this.newEdgeId();
    this.used = false;
    this.log.info({ edge_id: this.id, previous_edge_id: this.retired.at(-1) }, "new edge id");
  }

  /** Best effort: an id whose goodbye fails is left to its lease running out. */
  private async sayGoodbyes(): Promise<void> {
    const ids = this.retired;
    this.retired = [];
    for (const edgeId of ids) {
      try {
        await this.service.reportPresence({ edgeId, events: [], snapshot: false, goodbye: true });
      } catch (err) {
        this.log.warn({ err, edge_id: edgeId }, "presence goodbye failed; the lease will expire");
      }
    }
  }

  private snapshotNext(): void {
    this.snapshotDue = true;
    this.events = [];
  }

  private pendingLimit(): number {
    return this.options.maxEventsPerCall * MAX_PENDING_CALLS;
  }
}

/** An event seen now: its time becomes last seen when it is the user's last disconnect. */
function deviceEvent(key: string, connected: boolean): DeviceEvent {
  const dot = key.indexOf(".");
  return { userId: key.slice(0, dot), deviceId: key.slice(dot + 1), connected, atMs: Date.now() };
}

/** At least one part (an empty report still renews the lease). */
function split<T>(items: T[], size: number): T[][] {
  if (items.length <= size) return [items];
  const parts: T[][] = [];
  for (let i = 0; i < items.length; i += size) parts.push(items.slice(i, i + size));
  return parts;
}
