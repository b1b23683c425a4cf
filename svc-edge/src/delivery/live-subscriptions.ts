import type { Msg, NatsConnection, Subscription } from "@nats-io/transport-node";
import { EPHEMERAL_HEADER, type Logger, type Topology } from "@parley/common";
import { ephemeralFrame } from "./ephemeral.js";
import { InboxEntry } from "./inbox-entry.js";
import { jittered } from "./jitter.js";

/** What a device session attaches to its user's live subject (its follower). */
export interface LiveListener {
  /**
   * An entry republished on the user's live subject. `prev` is the inbox
   * sequence of the user's previous entry (0 when there was none).
   */
  onLive(entry: InboxEntry, prev: number): void;
  /** Live entries may have been missed: re-read the stored inbox. */
  resync(): void;
  /**
   * An ephemeral message for the user (typing), as the frame to send: not
   * an inbox entry, so it has no place in the inbox order.
   */
  onEphemeral(frame: string): void;
}

interface UserSubscription {
  /** Undefined between a failure and the next subscribe. */
  sub: Subscription | undefined;
  listeners: Set<LiveListener>;
  retry: NodeJS.Timeout | undefined;
}

/** How long a failed subscription waits before subscribing again. */
const RESUBSCRIBE_MS = 2_000;

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
    private readonly resubscribeMs = RESUBSCRIBE_MS,
  ) {}

  /** Starts calling `listener` for the user's live entries; returns the detach. */
  attach(userId: string, listener: LiveListener): () => void {
    let user = this.users.get(userId);
    if (!user) {
      user = { sub: undefined, listeners: new Set(), retry: undefined };
      this.users.set(userId, user);
      this.subscribe(userId, user);
    }
    user.listeners.add(listener);
    const attached = user;
    return () => this.detach(userId, attached, listener);
  }

  private subscribe(userId: string, user: UserSubscription): void {
    user.sub = this.nc.subscribe(this.topology.liveSubject(userId), {
      callback: (err, msg) =>
        err ? this.onError(userId, user, err) : this.dispatch(userId, user, msg),
    });
  }

  private detach(userId: string, user: UserSubscription, listener: LiveListener): void {
    if (!user.listeners.delete(listener) || user.listeners.size > 0) return;
    user.sub?.unsubscribe();
    clearTimeout(user.retry);
    this.users.delete(userId);
  }

  /**
   * The subscription is dead (NATS closed it, e.g. on a permission error).
   * Subscribe again after a pause, since the same error would come back at
   * once, then have every attached session re-read what it missed.
   */
  private onError(userId: string, user: UserSubscription, err: Error): void {
    this.log.error({ user_id: userId, err }, "live subscription failed, subscribing again");
    user.sub = undefined;
    user.retry = setTimeout(() => {
      user.retry = undefined;
      if (user.listeners.size === 0) return;
      this.subscribe(userId, user);
      for (const listener of user.listeners) listener.resync();
    }, jittered(this.resubscribeMs));
    user.retry.unref();
  }

  /**
   * Runs inside the NATS client's message callback, where a throw would
   * hit the client itself: a bad entry or a failing listener is logged and
   * skipped.
   */
  private dispatch(userId: string, user: UserSubscription, msg: Msg): void {
    let live: Live | undefined;
    try {
      live = decodeLive(msg);
    } catch (err) {
      this.log.error({ user_id: userId, err }, "unreadable live entry skipped");
      return;
    }
    if (!live) return;
    if ("ephemeral" in live) return this.dispatchEphemeral(userId, user, live.ephemeral, msg.data);
    const { entry, prev } = live;
    // Still passed on: the followers step over it (it has no frame)
    // instead of taking it for a gap.
    if (!entry.event)
      this.log.warn({ user_id: userId, inbox_seq: entry.seq }, "undecodable live entry skipped");
    for (const listener of user.listeners) {
      try {
        listener.onLive(entry, prev);
      } catch (err) {
        this.log.error(
          { user_id: userId, err, inbox_seq: entry.seq },
          "live entry delivery failed",
        );
      }
    }
  }

  /**
   * Decoded once for all the user's devices here. A kind this edge does not
   * know (a newer edge sent it) or a malformed body is dropped: ephemeral
   * messages may be lost anyway.
   */
  private dispatchEphemeral(
    userId: string,
    user: UserSubscription,
    kind: string,
    data: Uint8Array,
  ): void {
    const frame = ephemeralFrame(kind, data);
    if (!frame) {
      this.log.debug({ user_id: userId, kind }, "unknown or malformed ephemeral message dropped");
      return;
    }
    for (const listener of user.listeners) {
      try {
        listener.onEphemeral(frame);
      } catch (err) {
        this.log.error({ user_id: userId, err, kind }, "ephemeral delivery failed");
      }
    }
  }
}

/** A republished inbox entry, or an ephemeral message of the named kind. */
type Live = { entry: InboxEntry; prev: number } | { ephemeral: string };

function decodeLive(msg: Msg): Live | undefined {
  const seq = Number(msg.headers?.get("Nats-Sequence"));
  const prev = Number(msg.headers?.get("Nats-Last-Sequence") || 0);
  if (!Number.isSafeInteger(seq) || seq <= 0) {
    // Not a republished inbox entry (no sequence): an ephemeral message,
    // which has no place in the inbox order, or nothing to order it by.
    const kind = msg.headers?.get(EPHEMERAL_HEADER);
    return kind ? { ephemeral: kind } : undefined;
  }
  return { entry: InboxEntry.decode(seq, msg.data, msg.headers), prev };
}
