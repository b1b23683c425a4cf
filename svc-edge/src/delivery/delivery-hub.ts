import type { Identity, Topology } from "@parley/common";
import type { ReceiptBatcher } from "../receipts/receipt-batcher.js";
import type { CursorStore } from "./cursor-store.js";
import { DeviceSession } from "./device-session.js";
import type { InboxReader } from "./inbox-reader.js";
import type { InboxEntry } from "./inbox-entry.js";
import {
  InboxFollower,
  type DeliverySink,
  type FollowerOptions,
  type InboxSource,
  type SessionLog,
} from "./inbox-follower.js";
import type { LiveSubscriptions } from "./live-subscriptions.js";

export interface DeliveryHubOptions extends FollowerOptions {
  /** Entries fetched per catch-up batch. */
  catchUpBatch: number;
}

/**
 * Opens the delivery side of device sessions and keeps track of them, so a
 * NATS reconnect can send every session back through catch-up.
 */
export class DeliveryHub {
  private readonly sessions = new Set<DeviceSession>();

  constructor(
    private readonly topology: Topology,
    private readonly live: LiveSubscriptions,
    private readonly reader: InboxReader,
    private readonly cursors: CursorStore,
    private readonly receipts: ReceiptBatcher,
    private readonly options: DeliveryHubOptions,
  ) {}

  /**
   * Opens a session for a device: live interest is taken before the cursor
   * is read, so nothing published meanwhile is missed. Call start() next.
   */
  open(identity: Identity, sink: DeliverySink, log: SessionLog): DeviceSession {
    const { userId, deviceId } = identity;
    const source = new UserInbox(this.reader, userId, this.options.catchUpBatch);
    const follower = new InboxFollower(source, sink, this.options, log);
    const detach = this.live.attach(userId, follower);
    const key = this.topology.cursorKey(userId, deviceId);
    // Until the session closes, so its cursor writes need no read first.
    this.cursors.attach(key);
    const session = new DeviceSession(
      identity,
      key,
      follower,
      this.cursors,
      this.receipts,
      detach,
      (s) => this.sessions.delete(s),
      log,
    );
    this.sessions.add(session);
    return session;
  }

  /** After a NATS reconnect: live entries may have been missed. */
  resyncAll(): void {
    for (const session of this.sessions) session.follower.resync();
  }

  get sessionCount(): number {
    return this.sessions.size;
  }
}

/** One user's inbox as a follower reads it; a class, not closures, per idle socket. */
class UserInbox implements InboxSource {
  constructor(
    private readonly reader: InboxReader,
    private readonly userId: string,
    private readonly batch: number,
  ) {}

  lastSeq(): Promise<number> {
    return this.reader.lastSeq(this.userId);
  }

  entriesFrom(start: number): AsyncIterable<InboxEntry[]> {
    return this.reader.entriesFrom(this.userId, start, this.batch);
  }
}
