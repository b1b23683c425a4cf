import type { Media, Member, Message } from "../protocol/frames.js";

/** A send of this device, shown until the stored message replaces it. */
export interface Outgoing {
  clientId: string;
  target: { to: string } | { conversation_id: string };
  body: string;
  media?: Media;
  /** A local preview (object URL) while an image uploads. */
  previewUrl?: string;
  status: "uploading" | "sending" | "sent" | "failed";
  error?: string;
  createdAt: number;
  seq?: number;
  messageId?: string;
  /** Times the send was refused as retryable (unavailable, rate limited) so far. */
  retries?: number;
}

export interface Watermarks {
  delivered: number;
  read: number;
}

/**
 * One conversation as the chat view shows it: stored messages by id (the
 * protocol's dedupe key), this device's sends not stored yet, paging state,
 * members' receipt watermarks and who is typing.
 */
export class Thread {
  readonly messages = new Map<string, Message>();
  outgoing: Outgoing[] = [];
  /** A history page was loaded (or the thread is new and has none). */
  loaded = false;
  hasMore = true;
  loadingOlder = false;
  members: Member[] | undefined;
  readonly watermarks = new Map<string, Watermarks>();
  /** user id -> when the indicator expires (ms since the epoch). */
  readonly typing = new Map<string, number>();
  /**
   * What the composer holds, unsent. Kept here, not in the composer, so it
   * survives the chat view being made anew (a draft chat turning into its
   * conversation when the first send is answered).
   */
  unsentText = "";
  private sortedCache: Message[] | undefined;

  constructor(readonly key: string) {}

  /** Adds or replaces messages; true when one was new. */
  add(messages: Message[]): boolean {
    let added = false;
    for (const m of messages) {
      if (!this.messages.has(m.id)) added = true;
      this.messages.set(m.id, m);
      this.outgoing = this.outgoing.filter(
        (o) => o.messageId !== m.id && !(o.clientId === m.client_id && o.status !== "failed"),
      );
    }
    this.sortedCache = undefined;
    return added;
  }

  /** Stored messages in conversation order (`seq`). */
  get sorted(): Message[] {
    this.sortedCache ??= [...this.messages.values()].sort((a, b) => a.seq - b.seq);
    return this.sortedCache;
  }

  get oldestSeq(): number | undefined {
    return this.sorted[0]?.seq;
  }

  get newestSeq(): number | undefined {
    return this.sorted.at(-1)?.seq;
  }

  /** Keeps the highest of each watermark (receipts may come out of order). */
  raise(userId: string, delivered: number, read: number): void {
    const now = this.watermarks.get(userId) ?? { delivered: 0, read: 0 };
    this.watermarks.set(userId, {
      delivered: Math.max(now.delivered, delivered),
      read: Math.max(now.read, read),
    });
  }
}
