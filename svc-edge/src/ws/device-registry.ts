/** Something that holds a device's live session and can be pushed out. */
export interface DeviceHolder {
  replace(): void;
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

  /** Forgets the holder if it still holds the device. */
  release(key: string, holder: H): void {
    if (this.holders.get(key) === holder) this.holders.delete(key);
  }
}
