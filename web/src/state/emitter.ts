/** Change notification for the UI: listeners run once per microtask burst. */
export class Emitter {
  private readonly listeners = new Set<() => void>();
  private queued = false;

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  changed(): void {
    if (this.queued) return;
    this.queued = true;
    queueMicrotask(() => {
      this.queued = false;
      for (const listener of this.listeners) listener();
    });
  }
}
