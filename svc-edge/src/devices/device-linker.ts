import type { Identity, Logger } from "@parley/common";
import type { CursorStore } from "../delivery/cursor-store.js";
import { CloseCode, ConnectionClosingError } from "../errors.js";
import type { LinkedDevices } from "./linked-devices.js";

/** Ends the live session of a device in this process (see DeviceRegistry). */
export interface SessionEvictor {
  evict(deviceKey: string): void;
}

/** What the linker needs besides the registry. */
export interface DeviceLinkerDeps {
  links: LinkedDevices;
  cursors: CursorStore;
  /** The user's newest inbox sequence; 0 when the inbox is empty. */
  lastInboxSeq(userId: string): Promise<number>;
  /** The key of a device in the cursor bucket and the session registry. */
  deviceKey(userId: string, deviceId: string): string;
  sessions: SessionEvictor;
}

/**
 * The device policy of the edge: which devices may connect, and where a
 * newly linked device starts reading the user's inbox.
 *
 * The user's first device starts from the beginning of the inbox, so a
 * user's first connection gets everything waiting. A device linked while
 * the user has others starts from "now" (the newest inbox entry at link
 * time) and fills the past from history: otherwise every new device would
 * replay up to the whole offline window.
 */
export class DeviceLinker {
  constructor(
    private readonly deps: DeviceLinkerDeps,
    private readonly log: Logger,
  ) {}

  get max(): number {
    return this.deps.links.max;
  }

  /**
   * Admits a device at hello: a linked device passes, a new one is linked
   * if the user has room. Throws ConnectionClosingError (4403) otherwise.
   * Resolves once a device that starts from now has its cursor stored, so
   * the session's first read of the cursor sees it.
   */
  async admit({ userId, deviceId }: Identity): Promise<void> {
    const { links, cursors } = this.deps;
    const outcome = await links.link(userId, deviceId);
    if (outcome === "known") return;
    if (outcome === "full") {
      throw new ConnectionClosingError(
        CloseCode.DeviceForbidden,
        `device limit reached (${links.max}): unlink a device first`,
      );
    }
    let startSeq = 0;
    if (outcome === "added") {
      startSeq = await this.deps.lastInboxSeq(userId);
      if (startSeq > 0) await cursors.startAt(this.deps.deviceKey(userId, deviceId), startSeq);
    }
    this.log.info({ user_id: userId, device_id: deviceId, start_seq: startSeq }, "device linked");
  }

  /**
   * Unlinks one of the user's devices; false when it was not linked. Its
   * session in this process is closed (4403) and its cursor deleted, after
   * the session's last acks are written, so that nothing writes it back.
   */
  async unlink(userId: string, deviceId: string): Promise<boolean> {
    if (!(await this.deps.links.unlink(userId, deviceId))) return false;
    const key = this.deps.deviceKey(userId, deviceId);
    this.deps.sessions.evict(key);
    await this.deps.cursors.remove(key);
    this.log.info({ user_id: userId, device_id: deviceId }, "device unlinked");
    return true;
  }

  /** The user's linked devices, oldest link first. */
  list(userId: string) {
    return this.deps.links.list(userId);
  }
}
