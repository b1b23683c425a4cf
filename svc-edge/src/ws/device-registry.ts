/** Something that holds a device's live session and can be pushed out. */
export interface DeviceHolder {
  replace(): void;
  /** The device was unlinked: its session must end. */
  unlinked(): void;
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

  /** Registers `holder` for the device, pushing out the previous one. */
  claim(key: string, holder: H): void {
    const previous = this.holders.get(key);
    this.holders.set(key, holder);
    if (previous && previous !== holder) previous.replace();
  }

  /**
   * Ends the device's session in this process, if it has one (its device
   * was unlinked). A session on another edge process is not reached: that
   * needs the same cross-edge signal as above.
   */
  evict(key: string): void {
    const holder = this.holders.get(key);
    this.holders.delete(key);
    holder?.unlinked();
  }

  /** Forgets the holder if it still holds the device. */
  release(key: string, holder: H): void {
    if (this.holders.get(key) === holder) this.holders.delete(key);
  }
}
