import type { KV, KvEntry } from "@nats-io/kv";
import type { Logger } from "@parley/common";
import pLimit from "p-limit";
import { FlushQueue } from "./flush-queue.js";

/** Attempts of one compare-and-set write before it is left for the next flush. */
const CAS_ATTEMPTS = 5;

/** Writes in flight at once: a flush of many keys must not stall the requests queued behind it. */
export const CURSOR_WRITES_IN_FLIGHT = 64;

/** A stored state of a key: its cursor and revision (0: the key has no entry). */
interface Stored {
  seq: number;
  revision: number;
}

/**
 * Device cursors in a KV bucket: for each (user, device) key, the inbox
 * sequence up to which the device acked. Acks only mark the key dirty;
 * a dirty key is written once it has been dirty for the flush interval
 * (acks meanwhile join the write; keys fall due at their own times, not
 * all at once) and when the device disconnects. A read of a key waits
 * for that key's write in flight, so a device that reconnects does not get
 * what it just acked again.
 *
 * While a key has a session (attach to detach), the store remembers the
 * last state it saw stored, so a write is one compare-and-set without a get.
 */
export class CursorStore {
  private readonly dirty = new Map<string, number>();
  private readonly due: FlushQueue;
  /** Keys being removed: a failed write of theirs is not retried. */
  private readonly removing = new Set<string>();
  private readonly inflight = new Map<string, Promise<void>>();
  /** Open sessions per key; only their keys are kept in `seen`, so it stays bounded. */
  private readonly sessions = new Map<string, number>();
  private readonly seen = new Map<string, Stored>();
  private readonly limit = pLimit(CURSOR_WRITES_IN_FLIGHT);
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly kv: KV,
    flushMs: number,
    private readonly log: Logger,
  ) {
    this.due = new FlushQueue(flushMs);
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), this.due.tickMs);
    this.timer.unref();
  }

  /** A session of the key's device opened: the key's stored state is kept from now. */
  attach(key: string): void {
    this.sessions.set(key, (this.sessions.get(key) ?? 0) + 1);
  }

  /**
   * A session of the key's device closed: writes its acks, then forgets
   * the key's stored state with the key's last session.
   */
  async detach(key: string): Promise<void> {
    await this.flush(key);
    const left = (this.sessions.get(key) ?? 0) - 1;
    if (left > 0) {
      this.sessions.set(key, left);
      return;
    }
    this.sessions.delete(key);
    this.seen.delete(key);
  }

  /** The stored cursor of a key (0 when none), after any write in flight. */
  async read(key: string): Promise<number> {
    await this.inflight.get(key);
    return this.saw(key, await this.kv.get(key)).seq;
  }

  /** Records an ack; the cursor never moves back. */
  advance(key: string, seq: number): void {
    if (seq <= (this.dirty.get(key) ?? 0)) return;
    this.dirty.set(key, seq);
    this.due.add(key);
  }

  /** Writes the key now if it is dirty; the write is visible to read() at once. */
  flush(key: string): Promise<void> {
    const seq = this.dirty.get(key);
    if (seq === undefined) return this.inflight.get(key) ?? Promise.resolve();
    this.dirty.delete(key);
    this.due.delete(key);
    const previous = this.inflight.get(key) ?? Promise.resolve();
    // Waits for the key's previous write before it takes a slot.
    const write = previous.then(() => this.limit(() => this.write(key, seq)));
    const tracked = write.finally(() => {
      if (this.inflight.get(key) === tracked) this.inflight.delete(key);
    });
    this.inflight.set(key, tracked);
    return tracked;
  }

  /**
   * Moves the key's cursor forward to `seq` now and resolves once it is
   * stored; throws when it could not be. Used to start a new device later
   * than the beginning of the inbox.
   */
  async startAt(key: string, seq: number): Promise<void> {
    this.advance(key, seq);
    await this.flush(key);
    if (this.dirty.has(key)) throw new Error(`cursor ${key} could not be written`);
  }

  /**
   * Forgets the key's cursor: acks not yet written are dropped and the
   * stored cursor is deleted, after any write in flight.
   */
  async remove(key: string): Promise<void> {
    this.dirty.delete(key);
    this.due.delete(key);
    // A write in flight that fails must not mark the key again (see write).
    this.removing.add(key);
    try {
      await this.inflight.get(key);
      await this.kv.delete(key);
    } finally {
      this.removing.delete(key);
    }
    // What was seen is gone: a later write must not skip on it (see write).
    this.seen.delete(key);
  }

  /** Writes every dirty key. */
  async flushAll(): Promise<void> {
    await Promise.all([...this.dirty.keys()].map((key) => this.flush(key)));
  }

  /** Stops the timer and writes what is left. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flushAll();
    await Promise.all(this.inflight.values());
  }

  /**
   * Writes the keys that are due. One whose write is still in flight (or
   * waiting for a slot) stays dirty for another wait: its acks coalesce
   * into one write instead of queueing one more each tick.
   */
  private tick(): void {
    for (const key of this.due.takeDue()) {
      if (!this.dirty.has(key)) continue;
      if (this.inflight.has(key)) this.due.add(key);
      else void this.flush(key);
    }
  }

  /**
   * Compare-and-set so that concurrent writers (two edges) never move it
   * back. The first attempt uses the state last seen stored, if any: it
   * fails when another writer moved the key since, and the next reads it.
   */
  private async write(key: string, seq: number): Promise<void> {
    let stored = this.seen.get(key);
    for (let attempt = 1; attempt <= CAS_ATTEMPTS; attempt++) {
      try {
        stored ??= this.saw(key, await this.kv.get(key));
        // A stored cursor only moves forward (remove() forgets what was
        // seen), so one seen is still reached.
        if (stored.seq >= seq) return;
        const value = String(seq);
        const revision =
          stored.revision > 0
            ? await this.kv.update(key, value, stored.revision)
            : await this.kv.create(key, value);
        this.remember(key, { seq, revision });
        return;
      } catch (err) {
        stored = undefined;
        if (attempt === CAS_ATTEMPTS) {
          if (this.removing.has(key)) return;
          this.log.warn({ cursor_key: key, seq, err }, "cursor write failed, retrying later");
          this.advance(key, seq);
        }
      }
    }
  }

  /** The state in an entry read from the bucket, remembered for the next write. */
  private saw(key: string, entry: KvEntry | null): Stored {
    const seq = entry?.operation === "PUT" ? Number(entry.string()) || 0 : 0;
    const stored = { seq, revision: entry?.revision ?? 0 };
    this.remember(key, stored);
    return stored;
  }

  private remember(key: string, stored: Stored): void {
    if (this.sessions.has(key)) this.seen.set(key, stored);
  }
}
