import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import type { Logger } from "pino";
import type { Topology } from "../nats/topology.js";

/** What announcements keep current (a MembershipCache). */
export interface MembershipListener {
  /** One conversation's membership changed. */
  invalidate(conversationId: string): void;
  /** Changes may have been announced unheard. */
  clear(): void;
}

/**
 * Keeps a membership cache honest: svc-history announces each committed
 * membership change on a core NATS subject, and the group's cached list is
 * dropped. Core messages are not kept for a disconnected subscriber, so
 * after a reconnect every list is dropped, since any of them may have
 * changed unheard.
 */
export class MembershipAnnouncements {
  private subscription: Subscription | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly topology: Topology,
    private readonly cache: MembershipListener,
    private readonly log: Logger,
  ) {}

  /** Subscribes and flushes, so changes committed after this are heard. */
  async start(): Promise<void> {
    const prefix = this.topology.membershipChangedSubject("");
    this.subscription = this.nc.subscribe(this.topology.membershipChangedFilter(), {
      callback: (err, msg) => {
        if (err) {
          this.log.warn({ err }, "membership change subscription failed");
          this.cache.clear();
          return;
        }
        this.cache.invalidate(msg.subject.slice(prefix.length));
      },
    });
    void this.clearOnReconnect();
    await this.nc.flush();
  }

  stop(): void {
    this.subscription?.unsubscribe();
  }

  private async clearOnReconnect(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type !== "reconnect") continue;
      this.cache.clear();
      this.log.info("membership cache cleared after a NATS reconnect");
    }
  }
}
