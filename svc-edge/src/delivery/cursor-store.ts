import type { KV } from "@nats-io/kv";
import type { Logger } from "@parley/common";

/** Attempts of one compare-and-set write before it is left for the next flush. */
const CAS_ATTEMPTS = 5;

/**
 * Device cursors in a KV bucket: for each (user, device) key, the inbox
 * sequence up to which the device acked. Acks only mark the key dirty;
 * dirty keys are written every flush interval and when the device
 * disconnects. A read of a key waits for that key's write in flight, so a
 * device that reconnects does not get what it just acked again.
 */
export class CursorStore {
  private readonly dirty = new Map<string, number>();
  private readonly inflight = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly kv: KV,
    private readonly flushMs: number,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.flushAll(), this.flushMs);
    this.timer.unref();
  }

  /** The stored cursor of a key (0 when none), after any write in flight. */
  async read(key: string): Promise<number> {
    await this.inflight.get(key);
    const entry = await this.kv.get(key);
    if (!entry || entry.operation !== "PUT") return 0;
    return Number(entry.string()) || 0;
  }

  /** Records an ack; the cursor never moves back. */
  advance(key: string, seq: number): void {
    if (seq > (this.dirty.get(key) ?? 0)) this.dirty.set(key, seq);
  }

  /** Writes the key now if it is dirty; the write is visible to read() at once. */
  flush(key: string): Promise<void> {
    const seq = this.dirty.get(key);
    if (seq === undefined) return this.inflight.get(key) ?? Promise.resolve();
    this.dirty.delete(key);
    const previous = this.inflight.get(key) ?? Promise.resolve();
    const write = previous.then(() => this.write(key, seq));
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
    await this.inflight.get(key);
    await this.kv.delete(key);
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

  /** Compare-and-set so that concurrent writers (two edges) never move it back. */
  private async write(key: string, seq: number): Promise<void> {
    for (let attempt = 1; attempt <= CAS_ATTEMPTS; attempt++) {
      try {
        const entry = await this.kv.get(key);
        const stored = entry?.operation === "PUT" ? Number(entry.string()) || 0 : 0;
        if (stored >= seq) return;
        if (entry) await this.kv.update(key, String(seq), entry.revision);
        else await this.kv.create(key, String(seq));
        return;
      } catch (err) {
        if (attempt === CAS_ATTEMPTS) {
          this.log.warn({ cursor_key: key, seq, err }, "cursor write failed, retrying later");
          this.advance(key, seq);
        }
      }
    }
  }
}
