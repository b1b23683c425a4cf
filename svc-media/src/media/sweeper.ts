import type { Logger } from "@parley/common";
import { setTimeout as sleep } from "node:timers/promises";
import type { MediaStore } from "../pg/media-store.js";
import { objectKey, thumbnailKey, uploadKey, type ObjectStore } from "../s3/object-store.js";

export interface SweeperSettings {
  intervalMs: number;
  batch: number;
  /** How long past its grant's end a pending upload is left alone. */
  graceMs: number;
}

/**
 * Removes uploads whose grant ran out before they were completed: their
 * objects first, then their rows, a batch at a time. Objects go first so a
 * failure leaves the row behind for the next pass to try again, never an
 * object no row knows of. Every instance may sweep: deletes are
 * idempotent, and a row deletion spares media that turned ready.
 *
 * Known shortcoming: a PUT that starts just before its URL expires and
 * takes longer than the grace may land after the sweep, and a PUT repeated
 * after completion lands too: both leave an object under `uploads/` that
 * no row refers to. Nothing is ever served from `uploads/`; a bucket
 * lifecycle rule expiring its objects after a day removes them.
 */
export class ExpiredUploadSweeper {
  private stopped = false;
  private loop: Promise<void> | undefined;
  private readonly abort = new AbortController();

  constructor(
    private readonly store: MediaStore,
    private readonly objects: ObjectStore,
    private readonly settings: SweeperSettings,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  /** Waits for the pass under way, then stops. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await this.loop;
  }

  /** Sweeps until nothing expired is left; answers how many were removed. */
  async pass(): Promise<number> {
    let removed = 0;
    while (!this.stopped) {
      const expired = await this.store.expiredPending(this.settings.batch, this.settings.graceMs);
      if (expired.length === 0) break;
      await Promise.all(
        expired.flatMap((id) => [
          this.objects.delete(uploadKey(id)),
          this.objects.delete(objectKey(id)),
          this.objects.delete(thumbnailKey(id)),
        ]),
      );
      removed += await this.store.deletePending(expired);
      if (expired.length < this.settings.batch) break;
    }
    if (removed > 0) this.log.info({ removed }, "expired uploads removed");
    return removed;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.pass();
      } catch (err) {
        this.log.warn({ err }, "sweep of expired uploads failed; the next one retries");
      }
      await sleep(this.settings.intervalMs, undefined, { signal: this.abort.signal }).catch(
        () => undefined,
      );
    }
  }
}
