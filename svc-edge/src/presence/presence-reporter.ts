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
  /** Names this run of the process; random by default. */
  edgeId?: string;
}

/**
 * Pending events beyond this many calls' worth (svc-presence unreachable
 * for long) are dropped in favour of a snapshot: it says the same in at
 * most one entry per connected device, so memory stays bounded.
 */
const MAX_PENDING_CALLS = 10;

/**
 * Tells svc-presence which devices are connected to this edge process, in
 * one ReportPresence call per interval for all of them (not one per user):
 * the ordered connects and disconnects since the last report. A failed
 * call's events are sent again with the next one. When svc-presence lost
 * track of the edge (its lease ran out, or it never knew this edge id), it
 * asks for a snapshot: every device connected now, read from the device
 * registry. The first report of a run is a snapshot too, since
 * svc-presence cannot know this new edge id.
 *
 * Device keys are the registry's (`<user>.<device>`: ids have no dots).
 */
export class PresenceReporter implements DeviceRegistryListener {
  readonly edgeId: string;
  private events: DeviceEvent[] = [];
  private snapshotDue = true;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly service: PresenceReports,
    /** The keys of every device connected now (DeviceRegistry.keys). */
    private readonly connectedDevices: () => Iterable<string>,
    private readonly options: PresenceReporterOptions,
    private readonly log: Logger,
  ) {
    this.edgeId = options.edgeId ?? `e${randomBytes(8).toString("hex")}`;
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
    try {
      await this.service.reportPresence(this.request([], { goodbye: true }));
    } catch (err) {
      this.log.warn(
        { err, edge_id: this.edgeId },
        "presence goodbye failed; the lease will expire",
      );
    }
  }

  private record(key: string, connected: boolean): void {
    // A snapshot to come is read from the registry: nothing to remember.
    if (this.stopped || this.snapshotDue) return;
    const dot = key.indexOf(".");
    this.events.push({ userId: key.slice(0, dot), deviceId: key.slice(dot + 1), connected });
    if (this.events.length > this.pendingLimit()) this.switchToSnapshot();
  }

  private async report(): Promise<void> {
    const snapshot = this.snapshotDue;
    let events: DeviceEvent[];
    if (snapshot) {
      this.snapshotDue = false;
      this.events = [];
      events = Array.from(this.connectedDevices(), (key) => {
        const dot = key.indexOf(".");
        return { userId: key.slice(0, dot), deviceId: key.slice(dot + 1), connected: true };
      });
    } else {
      events = this.events;
      this.events = [];
    }
    const chunks = split(events, this.options.maxEventsPerCall);
    for (const [i, chunk] of chunks.entries()) {
      let answer: ReportPresenceResponse;
      try {
        // Only the first part of a split snapshot replaces what svc-presence
        // knew; the other parts add to it as plain connects.
        answer = await this.service.reportPresence(
          this.request(chunk, { snapshot: snapshot && i === 0 }),
        );
      } catch (err) {
        this.log.warn(
          { err, edge_id: this.edgeId, events: events.length },
          "presence report failed; kept for the next one",
        );
        if (snapshot && i === 0) this.switchToSnapshot();
        else this.requeue(chunks.slice(i).flat());
        return;
      }
      if (answer.snapshotRequired) {
        this.log.info({ edge_id: this.edgeId }, "svc-presence asked for a snapshot");
        this.switchToSnapshot();
        // At once, not at the next interval: svc-presence has dropped this
        // edge's devices, so its users are already in their grace period.
        // (A snapshot itself is never answered with snapshot_required.)
        if (!snapshot) await this.report();
        return;
      }
    }
  }

  private request(
    events: DeviceEvent[],
    flags: { snapshot?: boolean; goodbye?: boolean },
  ): ReportPresenceRequest {
    return {
      edgeId: this.edgeId,
      events,
      snapshot: flags.snapshot ?? false,
      goodbye: flags.goodbye ?? false,
    };
  }

  /** Unsent events go back before the ones recorded since, in order. */
  private requeue(unsent: DeviceEvent[]): void {
    if (this.snapshotDue) return;
    this.events = unsent.concat(this.events);
    if (this.events.length > this.pendingLimit()) this.switchToSnapshot();
  }

  private switchToSnapshot(): void {
    this.snapshotDue = true;
    this.events = [];
  }

  private pendingLimit(): number {
    return this.options.maxEventsPerCall * MAX_PENDING_CALLS;
  }
}

/** At least one part (an empty report still renews the lease). */
function split<T>(items: T[], size: number): T[][] {
  if (items.length <= size) return [items];
  const parts: T[][] = [];
  for (let i = 0; i < items.length; i += size) parts.push(items.slice(i, i + size));
  return parts;
}
