import type { Connection } from "../net/connection.js";
import { DisconnectedError, RequestError } from "../protocol/errors.js";
import { ErrorCode, type Media, type ServerFrameOf } from "../protocol/frames.js";
import { randomId } from "../protocol/ids.js";
import { isDraftKey, type Model } from "../state/model.js";
import type { Outgoing } from "../state/thread.js";
import { applyMessage } from "./inbox.js";
import { uploadFile } from "./uploads.js";

/** Codes worth an automatic retry with the same id (sends are idempotent). */
const RETRY_CODES: string[] = [ErrorCode.Unavailable, ErrorCode.RateLimited];
/** Retries back off from this, doubling up to RETRY_MAX_MS, jittered. */
const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 30_000;

/**
 * The wait before retry number `attempt` (0 first): growing, and spread
 * by ±50 % so that clients refused together (an overloaded edge sheds
 * many sends at once) do not come back together.
 */
function retryDelayMs(attempt: number): number {
  const base = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** attempt);
  return base * (0.5 + Math.random());
}

/**
 * This device's sends: shown at once as "sending", and once answered by
 * `sent` (the message id and the conversation's seq) made the stored
 * message, since the server sends no copy back to the device that sent
 * it. A send whose socket dropped is resent with the same id and
 * `retry: true` after reconnecting, so it is stored once.
 */
export class Outbox {
  constructor(
    private readonly model: Model,
    private readonly conn: Connection,
    /** This device: the author of the messages its answered sends make. */
    private readonly me: { userId: string; deviceId: string },
    /** A draft chat got its conversation id from its first send. */
    private readonly onConversation: (draftKey: string, conversationId: string) => void,
  ) {}

  sendText(key: string, body: string): void {
    this.transmit(this.add(key, { body, status: "sending" }), false);
  }

  /** Uploads the file (showing a local preview), then sends it. */
  async sendFile(key: string, file: File, caption: string): Promise<void> {
    const previewUrl = file.type.startsWith("image/") ? URL.createObjectURL(file) : undefined;
    const outgoing = this.add(key, {
      body: caption,
      status: "uploading",
      ...(previewUrl ? { previewUrl } : {}),
    });
    let media: Media;
    try {
      media = await uploadFile(this.conn, file);
    } catch (err) {
      return this.fail(outgoing, err);
    }
    outgoing.media = media;
    outgoing.status = "sending";
    this.model.changed();
    this.transmit(outgoing, false);
  }

  /** After a reconnect: every send still without an answer goes again. */
  resendPending(): void {
    for (const thread of this.model.threads.values()) {
      for (const o of thread.outgoing) if (o.status === "sending") this.transmit(o, true);
    }
  }

  /** A failed send, tried again by the user. */
  retry(outgoing: Outgoing): void {
    if (outgoing.status !== "failed" || (outgoing.previewUrl && !outgoing.media)) return;
    outgoing.status = "sending";
    delete outgoing.error;
    this.model.changed();
    this.transmit(outgoing, true);
  }

  private add(key: string, fields: Pick<Outgoing, "body" | "status" | "previewUrl">): Outgoing {
    const outgoing: Outgoing = {
      clientId: randomId("m"),
      target: this.targetOf(key),
      createdAt: Date.now(),
      ...fields,
    };
    this.model.thread(key).outgoing.push(outgoing);
    this.model.changed();
    return outgoing;
  }

  /** 1:1 sends name the peer (`to`); group sends the group. */
  private targetOf(key: string): Outgoing["target"] {
    if (isDraftKey(key)) return { to: key.slice(3) };
    const c = this.model.conversations.get(key)?.conversation;
    if (c?.kind === "direct" && c.peer_id) return { to: c.peer_id };
    // A 1:1 conversation not described yet: its title is the peer.
    if (key.startsWith("d_")) return { to: this.model.titleOf(key) };
    return { conversation_id: key };
  }

  private transmit(outgoing: Outgoing, retry: boolean): void {
    this.conn
      .request<ServerFrameOf<"sent">>({
        type: "send",
        id: outgoing.clientId,
        ...outgoing.target,
        body: outgoing.body,
        ...(outgoing.media ? { media_id: outgoing.media.media_id } : {}),
        ...(retry ? { retry: true } : {}),
      })
      .then((sent) => this.sent(outgoing, sent))
      .catch((err: unknown) => {
        // Still "sending": resendPending() takes it after the reconnect.
        if (err instanceof DisconnectedError) return;
        if (err instanceof RequestError && RETRY_CODES.includes(err.code)) {
          const attempt = outgoing.retries ?? 0;
          outgoing.retries = attempt + 1;
          window.setTimeout(() => this.transmit(outgoing, true), retryDelayMs(attempt));
          return;
        }
        this.fail(outgoing, err);
      });
  }

  private sent(outgoing: Outgoing, sent: ServerFrameOf<"sent">): void {
    outgoing.status = "sent";
    outgoing.seq = sent.seq;
    outgoing.messageId = sent.message_id;
    const key = "to" in outgoing.target ? `to:${outgoing.target.to}` : sent.conversation_id;
    const draft = this.model.threads.get(key);
    if (isDraftKey(key) && draft?.outgoing.includes(outgoing)) {
      draft.outgoing = draft.outgoing.filter((o) => o !== outgoing);
      this.onConversation(key, sent.conversation_id);
    }
    // Adding it drops the thread's outgoing entry of the same client id.
    applyMessage(this.model, {
      id: sent.message_id,
      conversation_id: sent.conversation_id,
      seq: sent.seq,
      from: this.me.userId,
      from_device: this.me.deviceId,
      client_id: outgoing.clientId,
      // 0 on a duplicate whose first send left the log's transit window.
      sent_at: sent.sent_at || outgoing.createdAt,
      body: outgoing.body,
      ...(outgoing.media ? { media: outgoing.media } : {}),
    });
    this.model.changed();
  }

  private fail(outgoing: Outgoing, err: unknown): void {
    outgoing.status = "failed";
    outgoing.error = err instanceof Error ? err.message : String(err);
    this.model.changed();
  }
}
