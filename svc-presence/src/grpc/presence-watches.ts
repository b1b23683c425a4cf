import { Metadata, status, type ServerWritableStream } from "@grpc/grpc-js";
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import {
  ERROR_CODE_METADATA,
  ErrorCode,
  ParleyError,
  type Logger,
  type Topology,
} from "@parley/common";
import {
  UserPresence,
  type WatchPresenceRequest,
  type WatchPresenceResponse,
} from "@parley/proto/parley/presence/v1/presence";
import type { PresenceReader } from "../presence/presence-reader.js";

type WatchCall = ServerWritableStream<WatchPresenceRequest, WatchPresenceResponse>;

/**
 * WatchPresence streams: each holds one core subscription per watched
 * user, released when the caller cancels, the stream fails or the service
 * stops. Subscriptions are made (and flushed to the server) before the
 * current states are read, so no change falls between the two; a state
 * equal to the one last sent for the user is not sent again.
 */
export class PresenceWatches {
  private readonly open = new Map<() => void, WatchCall>();
  private subscriptions = 0;
  private closed = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly topology: Topology,
    private readonly reader: PresenceReader,
    private readonly log: Logger,
  ) {}

  /** Core subscriptions held by open watches, over all of them. */
  get openSubscriptions(): number {
    return this.subscriptions;
  }

  /** Serves one stream until the caller cancels; throws on a failed start. */
  async serve(call: WatchCall, userIds: string[]): Promise<void> {
    if (this.closed) throw ParleyError.unavailable("svc-presence is stopping; watch again");
    // A call cancelled already never emits "cancelled" again: its
    // subscriptions would never be released.
    if (call.cancelled) return;
    const users = [...new Set(userIds)];
    const lastSent = new Map<string, string>();
    const send = (presence: UserPresence) => {
      const state = `${presence.online}:${presence.lastSeenMs}`;
      if (lastSent.get(presence.userId) === state || call.destroyed) return;
      lastSent.set(presence.userId, state);
      call.write({ presence });
    };
    let early: UserPresence[] | null = [];
    const subs = users.map((userId) =>
      this.nc.subscribe(this.topology.presenceSubject(userId), {
        // Runs in the NATS client's callback: nothing may throw out of it.
        callback: (err, msg) => {
          if (err) return;
          let presence: UserPresence;
          try {
            // The subject names the user; a body naming another is not trusted.
            presence = { ...UserPresence.decode(msg.data), userId };
          } catch (decodeErr) {
            this.log.error(
              { user_id: userId, err: decodeErr },
              "unreadable presence change skipped",
            );
            return;
          }
          if (early) early.push(presence);
          else send(presence);
        },
      }),
    );
    const end = this.track(subs, users.length, call);
    call.once("cancelled", end);
    call.once("close", end);
    call.once("error", end);
    try {
      await this.nc.flush();
      for (const presence of await this.reader.read(users)) send(presence);
    } catch (err) {
      end();
      throw ParleyError.unavailable("presence cannot be read now; retry", err);
    }
    const changes = early;
    early = null;
    for (const presence of changes) send(presence);
  }

  /**
   * Ends every open stream and refuses new ones: shutdown. The streams end
   * with UNAVAILABLE, not OK, so a watcher can tell that it should watch
   * again (elsewhere) from a finish it asked for.
   */
  endAll(): void {
    this.closed = true;
    for (const [end, call] of [...this.open]) {
      end();
      if (call.writableEnded) continue;
      const metadata = new Metadata();
      metadata.set(ERROR_CODE_METADATA, ErrorCode.Unavailable);
      const reason = "svc-presence is stopping; watch again";
      // grpc-js turns an "error" event on a server stream into its status.
      call.emit("error", { message: reason, code: status.UNAVAILABLE, details: reason, metadata });
    }
  }

  /** Counts the subscriptions in and returns the one way to release them. */
  private track(subs: Subscription[], users: number, call: WatchCall): () => void {
    this.subscriptions += subs.length;
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      this.open.delete(end);
      for (const sub of subs) sub.unsubscribe();
      this.subscriptions -= subs.length;
      this.log.info({ users, open_subscriptions: this.subscriptions }, "watch ended");
    };
    this.open.set(end, call);
    return end;
  }
}
