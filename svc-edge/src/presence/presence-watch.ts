import type { PresenceSubscriptions, PresenceWatcher } from "./presence-subscriptions.js";

/**
 * One connection's watched users (made on its first watch_presence, so idle
 * connections hold nothing). watch_presence frames of a connection run one
 * after the other, in order: each replaces the set, and the last one wins.
 * While an answer is being prepared, pushes are held and sent after it, so
 * the client never applies an older answer over a newer change.
 */
export class PresenceWatch implements PresenceWatcher {
  private users: string[] = [];
  private held: { frame: string; userId: string; version: number }[] | undefined;
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly subscriptions: PresenceSubscriptions,
    private readonly send: (frame: string) => void,
  ) {}

  /** Runs `task` after the connection's earlier watch_presence frames. */
  run(task: () => Promise<void>): Promise<void> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /**
   * Watches exactly `users` from now on, holding their pushes until
   * answered(). New interest is taken before old is dropped, so a user in
   * both sets keeps its shared subscription.
   */
  replace(users: string[]): void {
    if (this.closed) return;
    for (const user of users) this.subscriptions.watch(user, this);
    const keep = new Set(users);
    for (const user of this.users) {
      if (!keep.has(user)) this.subscriptions.unwatch(user, this);
    }
    this.users = users;
    this.held = users.length > 0 ? [] : undefined;
  }

  /**
   * Sends the answer, then the pushes held while it was prepared that are
   * newer than what the answer says (`versions`: user to version read).
   */
  answered(answer: string, versions: ReadonlyMap<string, number> = new Map()): void {
    const held = this.held ?? [];
    this.held = undefined;
    this.send(answer);
    for (const push of held) {
      if (push.version > (versions.get(push.userId) ?? 0)) this.send(push.frame);
    }
  }

  onPresence(frame: string, userId: string, version: number): void {
    if (this.held) this.held.push({ frame, userId, version });
    else this.send(frame);
  }

  /** The connection closed: release every watched user. */
  close(): void {
    this.replace([]);
    this.closed = true;
  }
}
