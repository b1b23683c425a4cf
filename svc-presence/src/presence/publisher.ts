import type { NatsConnection } from "@nats-io/transport-node";
import type { Topology } from "@parley/common";
import { UserPresence } from "@parley/proto/parley/presence/v1/presence";
import { presenceUpdates } from "../metrics.js";

/**
 * Announces presence changes on core NATS, one `UserPresence` per change
 * on the user's presence subject. Core, not JetStream: a watcher that
 * missed one reads the current state again (GetPresence), nothing replays.
 */
export class PresencePublisher {
  constructor(
    private readonly nc: NatsConnection,
    private readonly topology: Topology,
  ) {}

  /** `version`: the revision of the record write that made the change. */
  online(userId: string, version: number): void {
    this.publish({ userId, online: true, lastSeenMs: 0, version });
  }

  offline(userId: string, lastSeenMs: number, version: number): void {
    this.publish({ userId, online: false, lastSeenMs, version });
  }

  private publish(presence: UserPresence): void {
    const subject = this.topology.presenceSubject(presence.userId);
    this.nc.publish(subject, UserPresence.encode(presence).finish());
    presenceUpdates.add(1, { state: presence.online ? "online" : "offline" });
  }
}
