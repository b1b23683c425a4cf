import type { Msg, NatsConnection, Subscription } from "@nats-io/transport-node";
import { ParleyError, type Logger, type Topology } from "@parley/common";
import { UserPresence } from "@parley/proto/parley/presence/v1/presence";
import { jittered } from "../delivery/jitter.js";
import type { PresenceFrame, PresenceView } from "../ws/frames.js";

/** A connection's watch set: told each change of a watched user. */
export interface PresenceWatcher {
  /**
   * A `presence` push frame, serialised once for every watcher, and the
   * version of the state it carries (UserPresence.version).
   */
  onPresence(frame: string, userId: string, version: number): void;
}

interface WatchedUser {
  /** Undefined between a failure and the next subscribe. */
  sub: Subscription | undefined;
  watchers: Set<PresenceWatcher>;
  retry: NodeJS.Timeout | undefined;
  /** The newest state version seen, pushed or read; older pushes are dropped. */
  version: number;
}

/** How long a failed subscription waits before subscribing again. */
const RESUBSCRIBE_MS = 2_000;

/**
 * One core NATS subscription per watched user per edge process, on the
 * user's presence subject, shared by every connection here that watches
 * the user and dropped when the last one stops. svc-presence publishes a
 * UserPresence there on each change.
 */
export class PresenceSubscriptions {
  private readonly users = new Map<string, WatchedUser>();
  /** Subscriptions made so far, and how many of them a finished flush covered. */
  private subscribed = 0;
  private flushed = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly topology: Topology,
    private readonly log: Logger,
    private readonly resubscribeMs = RESUBSCRIBE_MS,
  ) {}

  watch(userId: string, watcher: PresenceWatcher): void {
    let user = this.users.get(userId);
    if (!user) {
      user = { sub: undefined, watchers: new Set(), retry: undefined, version: 0 };
      this.users.set(userId, user);
      this.subscribe(userId, user);
    }
    user.watchers.add(watcher);
  }

  unwatch(userId: string, watcher: PresenceWatcher): void {
    const user = this.users.get(userId);
    if (!user || !user.watchers.delete(watcher) || user.watchers.size > 0) return;
    user.sub?.unsubscribe();
    clearTimeout(user.retry);
    this.users.delete(userId);
  }

  /**
   * Resolves once the NATS server has every subscription made so far, so
   * that a change published from then on reaches it: read the current
   * state only after this, or a change could fall between the read and the
   * subscription. A no-op when no subscription was made since the last one.
   */
  async flush(): Promise<void> {
    const upTo = this.subscribed;
    if (this.flushed >= upTo) return;
    try {
      await this.nc.flush();
    } catch (err) {
      throw ParleyError.unavailable("NATS unavailable", err);
    }
    this.flushed = Math.max(this.flushed, upTo);
  }

  /**
   * A state of a watched user was read (GetPresence): pushes of that
   * version or older, still on their way, are stale from now on.
   */
  observed(userId: string, version: number): void {
    const user = this.users.get(userId);
    if (user && version > user.version) user.version = version;
  }

  /** Users with at least one watcher in this process. */
  get watchedUsers(): number {
    return this.users.size;
  }

  private subscribe(userId: string, user: WatchedUser): void {
    this.subscribed++;
    user.sub = this.nc.subscribe(this.topology.presenceSubject(userId), {
      callback: (err, msg) =>
        err ? this.onError(userId, user, err) : this.dispatch(userId, user, msg),
    });
  }

  /** NATS closed the subscription (e.g. a permission error): try again later. */
  private onError(userId: string, user: WatchedUser, err: Error): void {
    this.log.error({ user_id: userId, err }, "presence subscription failed, subscribing again");
    user.sub = undefined;
    user.retry = setTimeout(() => {
      user.retry = undefined;
      if (user.watchers.size > 0) this.subscribe(userId, user);
    }, jittered(this.resubscribeMs));
    user.retry.unref();
  }

  /** Runs in the NATS client's callback: nothing may throw out of it. */
  private dispatch(userId: string, user: WatchedUser, msg: Msg): void {
    let frame: string;
    let version: number;
    try {
      const presence = UserPresence.decode(msg.data);
      // Changes come from several svc-presence instances, and a read may
      // have shown a newer state already: keep only what is newer.
      if (presence.version <= user.version) return;
      user.version = presence.version;
      version = presence.version;
      // The subject names the user; a body naming another is not trusted.
      const push: PresenceFrame = {
        type: "presence",
        users: [presenceView({ ...presence, userId })],
      };
      frame = JSON.stringify(push);
    } catch (err) {
      this.log.error({ user_id: userId, err }, "unreadable presence change skipped");
      return;
    }
    for (const watcher of user.watchers) {
      try {
        watcher.onPresence(frame, userId, version);
      } catch (err) {
        this.log.error({ user_id: userId, err }, "presence push failed");
      }
    }
  }
}

/** How a client sees a UserPresence: no last_seen while online or never seen. */
export function presenceView(p: UserPresence): PresenceView {
  const view: PresenceView = { user_id: p.userId, online: p.online };
  if (!p.online && p.lastSeenMs > 0) view.last_seen = p.lastSeenMs;
  return view;
}
