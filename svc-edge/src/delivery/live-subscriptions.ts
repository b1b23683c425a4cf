import type { Msg, NatsConnection, Subscription } from "@nats-io/transport-node";
import type { Logger, Topology } from "@parley/common";
import { InboxEntry } from "./inbox-entry.js";

/**
 * Called for each entry republished on a user's live subject. `prev` is the
 * inbox sequence of the user's previous entry (0 when there was none).
 */
export type LiveListener = (entry: InboxEntry, prev: number) => void;

interface UserSubscription {
  sub: Subscription;
  listeners: Set<LiveListener>;
}

/**
 * One core NATS subscription per user per edge process, shared by the
 * user's connected devices and dropped when the last one leaves. At a
 * million mostly idle sockets per host, a subscription per device would
 * double the interest the server tracks for nothing.
 */
export class LiveSubscriptions {
  private readonly users = new Map<string, UserSubscription>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly topology: Topology,
    private readonly log: Logger,
  ) {}

  /** Starts calling `listener` for the user's live entries; returns the detach. */
  attach(userId: string, listener: LiveListener): () => void {
    let user = this.users.get(userId);
    if (!user) {
      const listeners = new Set<LiveListener>();
      const sub = this.nc.subscribe(this.topology.liveSubject(userId), {
        callback: (err, msg) => (err ? this.onError(userId, err) : dispatch(listeners, msg)),
      });
      user = { sub, listeners };
      this.users.set(userId, user);
    }
    user.listeners.add(listener);
    return () => this.detach(userId, listener);
  }

  /** Users with at least one attached device. */
  get userCount(): number {
    return this.users.size;
  }

  private detach(userId: string, listener: LiveListener): void {
    const user = this.users.get(userId);
    if (!user?.listeners.delete(listener) || user.listeners.size > 0) return;
    user.sub.unsubscribe();
    this.users.delete(userId);
  }

  private onError(userId: string, err: Error): void {
    this.log.error({ user_id: userId, err }, "live subscription failed");
  }
}

function dispatch(listeners: Set<LiveListener>, msg: Msg): void {
  const seq = Number(msg.headers?.get("Nats-Sequence"));
  const prev = Number(msg.headers?.get("Nats-Last-Sequence") || 0);
  // Not a republished inbox entry (no sequence): nothing to order it by.
  if (!Number.isSafeInteger(seq) || seq <= 0) return;
  const entry = InboxEntry.decode(seq, msg.data);
  for (const listener of listeners) listener(entry, prev);
}
