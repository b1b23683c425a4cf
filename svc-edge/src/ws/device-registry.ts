/** Something that holds a device's live session and can be pushed out. */
export interface DeviceHolder {
  replace(): void;
  /** The device was unlinked: its session must end. */
  unlinked(): void;
}

/**
 * Told when a device gains its live session in this process and when it
 * loses it (presence). A replacement by a newer connection of the same
 * device is neither: the device stays connected.
 */
export interface DeviceRegistryListener {
  connected(key: string): void;
  disconnected(key: string): void;
}

/**
 * One live session per device in this process: a newer connection of the
 * device wins and the older one is closed (4409).
 *
 * A second session of the same device on another edge process is not
 * detected; both deliver until one disconnects. Closing it needs a
 * cross-edge signal (e.g. a core subject per device) that does not exist yet.
 */
export class DeviceRegistry<H extends DeviceHolder> {
  private readonly holders = new Map<string, H>();

  constructor(private readonly listener?: DeviceRegistryListener) {}

  /** Registers `holder` for the device, pushing out the previous one. */
  claim(key: string, holder: H): void {
    const previous = this.holders.get(key);
    this.holders.set(key, holder);
    if (!previous) this.listener?.connected(key);
    else if (previous !== holder) previous.replace();
  }

  /**
   * Ends the device's session in this process, if it has one (its device
   * was unlinked). A session on another edge process is not reached: that
   * needs the same cross-edge signal as above.
   */
  evict(key: string): void {
    const holder = this.holders.get(key);
    if (!holder) return;
    this.holders.delete(key);
    this.listener?.disconnected(key);
    holder.unlinked();
  }

  /** Forgets the holder if it still holds the device. */
  release(key: string, holder: H): void {
    if (this.holders.get(key) !== holder) return;
    this.holders.delete(key);
    this.listener?.disconnected(key);
  }

  /** The keys of every device with a live session here. */
  keys(): IterableIterator<string> {
    return this.holders.keys();
  }
}
