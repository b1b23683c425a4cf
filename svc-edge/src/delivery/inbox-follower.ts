import type { Logger } from "@parley/common";
import type { LimitFunction } from "p-limit";
import { catchUpEntries } from "../telemetry/edge-metrics.js";
import type { InboxEntry } from "./inbox-entry.js";
import { jittered } from "./jitter.js";

/**
 * Where a session logs: `logAt(level)` is the session's logger, or
 * undefined when that level is off. The logger carries the session's ids
 * and is made on first use (see Connection.log): made for every session it
 * would cost each idle socket.
 */
export interface SessionLog {
  logAt(level: "debug" | "warn"): Logger | undefined;
}

/** Where a follower reads a user's stored inbox (see InboxReader). */
export interface InboxSource {
  /** Sequence of the newest entry; 0 when the inbox is empty. */
  lastSeq(): Promise<number>;
  /** Entries from `startSeq` on, in order, in batches, until none is pending. */
  entriesFrom(startSeq: number): AsyncIterable<InboxEntry[]>;
}

/** Where a follower delivers: one device session. */
export interface DeliverySink {
  /**
   * Sends the entry: `live` as it arrives, or else read back from the
   * stream (catching up). False when the session's send buffer is past its
   * low-water mark: the caller should await drained() before sending more.
   */
  deliver(entry: InboxEntry, live: boolean): boolean;
  /** The backlog up to `inboxSeq` has been delivered; live from here. */
  caughtUp(inboxSeq: number): void;
  /** Resolves once the session's send buffer is low enough for more. */
  drained(): Promise<void>;
  /** Sends an ephemeral frame (typing), outside the inbox order; may drop it. */
  ephemeral(frame: string): void;
}

export interface FollowerOptions {
  /** Live entries held while catching up; past it they are re-read instead. */
  maxBuffered: number;
  /** First and longest wait before retrying a failed backlog read. */
  retryMinMs: number;
  retryMaxMs: number;
  /** Shared by every follower of the process: backlog reads at once. */
  catchUps: LimitFunction;
}

type State = "starting" | "catching_up" | "live" | "closed";

interface Buffered {
  entry: InboxEntry;
  prev: number;
}

/**
 * Delivers one device's inbox to one session, in inbox order, each entry
 * once per session. It starts from the device's cursor, reads the backlog
 * with a short-lived consumer while holding live entries, then follows the
 * live subject. A live entry whose previous sequence is beyond what was
 * delivered reveals a gap and sends it back to catch-up; so does a NATS
 * reconnect (resync), since live entries may have been missed meanwhile.
 */
export class InboxFollower {
  private state: State = "starting";
  private delivered = 0;
  private buffered: Buffered[] = [];
  private again = false;

  constructor(
    private readonly source: InboxSource,
    private readonly sink: DeliverySink,
    private readonly options: FollowerOptions,
    private readonly log: SessionLog,
  ) {}

  /** The highest inbox sequence delivered to this session (or its cursor). */
  get deliveredSeq(): number {
    return this.delivered;
  }

  /** Starts delivery after the device's cursor. */
  start(cursor: number): void {
    if (this.state !== "starting") return;
    this.delivered = cursor;
    void this.catchUp();
  }

  /** A live entry of the user; `prev` is the user's previous inbox sequence. */
  onLive(entry: InboxEntry, prev: number): void {
    if (this.state === "closed" || entry.seq <= this.delivered) return;
    if (this.state !== "live") return this.hold(entry, prev);
    if (prev > this.delivered) {
      this.log
        .logAt("debug")
        ?.debug({ inbox_seq: entry.seq, prev, delivered: this.delivered }, "inbox gap");
      this.hold(entry, prev);
      void this.catchUp();
      return;
    }
    this.send(entry);
  }

  /**
   * An ephemeral frame (typing) goes straight through, in any state but
   * closed: it is no inbox entry, so catching up has nothing to order.
   */
  onEphemeral(frame: string): void {
    if (this.state !== "closed") this.sink.ephemeral(frame);
  }

  /** Re-reads the backlog: live entries may have been missed (NATS reconnect). */
  resync(): void {
    if (this.state === "live") void this.catchUp();
    else if (this.state === "catching_up") this.again = true;
  }

  close(): void {
    this.state = "closed";
    this.buffered = [];
  }

  private async catchUp(): Promise<void> {
    this.state = "catching_up";
    do {
      this.again = false;
      await this.readBacklogWithRetry();
      if (this.isClosed()) return;
      await this.releaseHeld();
      if (this.isClosed()) return;
    } while (this.again);
    this.state = "live";
    this.sink.caughtUp(this.delivered);
  }

  /**
   * Reads the backlog under the process-wide limit, retrying failures with a
   * growing, jittered wait: after a NATS outage every session fails at once,
   * and equal waits would bring them back at once too. The slot is not
   * held while waiting to retry.
   */
  private async readBacklogWithRetry(): Promise<void> {
    let wait = this.options.retryMinMs;
    while (!this.isClosed()) {
      try {
        return await this.options.catchUps(() => this.readBacklog());
      } catch (err) {
        const delay = jittered(wait);
        this.log
          .logAt("warn")
          ?.warn({ err, delivered: this.delivered, retry_ms: delay }, "inbox read failed");
        await new Promise((resolve) => setTimeout(resolve, delay).unref());
        wait = Math.min(wait * 2, this.options.retryMaxMs);
      }
    }
  }

  private async readBacklog(): Promise<void> {
    // Closed while waiting for a slot: give it to the next session.
    if (this.isClosed()) return;
    // Cheap check first: most sessions start with nothing new.
    if ((await this.source.lastSeq()) <= this.delivered) return catchUpEntries.record(0);
    let read = 0;
    try {
      for await (const batch of this.source.entriesFrom(this.delivered + 1)) {
        if (this.isClosed()) return;
        // Wait per entry, not per batch: a batch of large bodies alone can
        // exceed what a socket may have queued (slow consumer, 4008).
        for (const entry of batch) {
          if (entry.seq <= this.delivered) continue;
          read++;
          if (!this.send(entry)) await this.sink.drained();
          if (this.isClosed()) return;
        }
      }
    } finally {
      catchUpEntries.record(read);
    }
  }

  /**
   * Delivers held live entries that follow on; a gap means another pass.
   * Entries that arrive while it waits for the socket are held and
   * released in turn.
   */
  private async releaseHeld(): Promise<void> {
    while (this.buffered.length > 0) {
      const held = this.buffered.sort((a, b) => a.entry.seq - b.entry.seq);
      this.buffered = [];
      for (const [i, { entry, prev }] of held.entries()) {
        if (entry.seq <= this.delivered) continue;
        if (prev > this.delivered) {
          this.buffered = [...held.slice(i), ...this.buffered];
          this.again = true;
          return;
        }
        if (!this.send(entry)) await this.sink.drained();
        if (this.isClosed()) return;
      }
    }
  }

  private hold(entry: InboxEntry, prev: number): void {
    if (this.buffered.length < this.options.maxBuffered) {
      this.buffered.push({ entry, prev });
      return;
    }
    // Too many to hold: drop them and read them back from the stream.
    this.buffered = [];
    this.again = true;
  }

  /** Delivers one entry; false when the sink asks to wait for drained(). */
  private send(entry: InboxEntry): boolean {
    this.delivered = entry.seq;
    return this.sink.deliver(entry, this.state === "live");
  }

  // A method, so TypeScript does not narrow `state` across awaits.
  private isClosed(): boolean {
    return this.state === "closed";
  }
}
