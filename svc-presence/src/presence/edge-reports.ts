import type { Logger } from "@parley/common";
import type { ValidReport } from "../domain/report.js";
import type { Leases } from "../kv/leases.js";
import type { PresenceStore } from "../kv/presence-store.js";
import type { EdgeDevices } from "./edge-devices.js";

/**
 * ReportPresence: an edge's report renews its lease and applies its
 * events. An edge whose lease svc-presence does not hold (it ran out, or
 * the edge is new) loses what was known of it and must send a snapshot.
 */
export class EdgeReports {
  constructor(
    private readonly store: PresenceStore,
    private readonly leases: Leases,
    private readonly devices: EdgeDevices,
    private readonly log: Logger,
  ) {}

  /** Applies one report; true when the edge must send a snapshot next. */
  async report(report: ValidReport): Promise<boolean> {
    const { edgeId } = report;
    if (report.goodbye) {
      await this.goodbye(edgeId);
      return false;
    }
    const nowMs = Date.now();
    const [leased, known] = await Promise.all([
      this.leases.isLive(edgeId),
      this.store.isKnown(edgeId),
    ]);
    const fresh = leased && known;
    // Known first: an edge that dies right after this report is found by
    // the sweeper through its known key, whatever else got written. Every
    // report rewrites it with its time: should the edge die, its users'
    // grace period counts from then (see Sweeper).
    await this.store.markKnown(edgeId, nowMs);
    await this.leases.renew(edgeId, nowMs);

    if (report.snapshot) {
      await this.devices.replace(edgeId, report.changes);
      return false;
    }
    if (!fresh) {
      const dropped = await this.devices.remove(edgeId);
      this.log.info({ edge_id: edgeId, users: dropped }, "edge without a lease, snapshot required");
    }
    await this.devices.apply(edgeId, report.changes);
    return !fresh;
  }

  /** The edge stops: its devices go (grace applies), then its lease. */
  private async goodbye(edgeId: string): Promise<void> {
    const users = await this.devices.remove(edgeId);
    await this.store.forgetKnown(edgeId);
    await this.leases.end(edgeId);
    this.log.info({ edge_id: edgeId, users }, "edge said goodbye");
  }
}
