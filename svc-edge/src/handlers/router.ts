import { ErrorCode, ParleyError } from "@parley/common";
import type { DeviceLinker } from "../devices/device-linker.js";
import { EdgeOverloaded, RequestError } from "../errors.js";
import type { ConversationClient } from "../grpc/conversation-client.js";
import type { DeliveryClient } from "../grpc/delivery-client.js";
import type { HistoryClient } from "../grpc/history-client.js";
import type { MediaClient } from "../grpc/media-client.js";
import type { PresenceClient } from "../grpc/presence-client.js";
import type { PresenceSubscriptions } from "../presence/presence-subscriptions.js";
import type { ReceiptBatcher } from "../receipts/receipt-batcher.js";
import type { TypingNotifier } from "../typing/typing-notifier.js";
import type { Connection, RequestHandler } from "../ws/connection.js";
import type { ClientFrame } from "../ws/frames.js";
import {
  handleAddMembers,
  handleCreateGroup,
  handleGetConversation,
  handleLeaveGroup,
  handleListConversations,
  handleListMembers,
  handleRemoveMember,
} from "./conversations.js";
import { handleDevices, handleUnlinkDevice } from "./devices.js";
import { handleHistory } from "./history.js";
import { handleDownload, handleUpload, handleUploadDone } from "./media.js";
import { handleWatchPresence } from "./presence.js";
import { handleRead } from "./read.js";
import { handleSend } from "./send.js";
import { handleTyping } from "./typing.js";

/** The services and parts of the edge that requests reach. */
export interface RouterDeps {
  delivery: DeliveryClient;
  history: HistoryClient;
  conversations: ConversationClient;
  receipts: ReceiptBatcher;
  devices: DeviceLinker;
  presence: PresenceClient;
  presenceSubscriptions: PresenceSubscriptions;
  typing: TypingNotifier;
  media: MediaClient;
}

/**
 * Dispatches the frames of open connections. The connection has already
 * taken the token of requests that reach another service or NATS (all but
 * ping, ack and typing, which has a budget of its own).
 */
export class RequestRouter implements RequestHandler {
  constructor(private readonly deps: RouterDeps) {}

  async handle(conn: Connection, frame: ClientFrame): Promise<void> {
    const { delivery, history, conversations, receipts, devices } = this.deps;
    switch (frame.type) {
      case "ping":
        return conn.send(
          frame.id === undefined ? { type: "pong" } : { type: "pong", id: frame.id },
        );
      case "ack":
        return conn.deviceSession.ack(frame.inbox_seq);
      case "send":
        return withBackendErrors(handleSend(conn, frame, delivery), frame.id, "delivery");
      case "history":
        return withBackendErrors(handleHistory(conn, frame, history), frame.id, "history");
      case "devices":
        return handleDevices(conn, frame, devices);
      case "unlink_device":
        return handleUnlinkDevice(conn, frame, devices);
      case "create_group":
        return viaHistory(handleCreateGroup(conn, frame, conversations), frame.id);
      case "add_members":
        return viaHistory(handleAddMembers(conn, frame, conversations), frame.id);
      case "remove_member":
        return viaHistory(handleRemoveMember(conn, frame, conversations), frame.id);
      case "leave_group":
        return viaHistory(handleLeaveGroup(conn, frame, conversations), frame.id);
      case "get_conversation":
        return viaHistory(handleGetConversation(conn, frame, conversations), frame.id);
      case "list_members":
        return viaHistory(handleListMembers(conn, frame, conversations), frame.id);
      case "list_conversations":
        return viaHistory(handleListConversations(conn, frame, conversations), frame.id);
      case "read":
        return viaHistory(handleRead(conn, frame, receipts), frame.id);
      case "watch_presence":
        return withBackendErrors(
          handleWatchPresence(conn, frame, {
            conversations,
            presence: this.deps.presence,
            subscriptions: this.deps.presenceSubscriptions,
          }),
          frame.id,
          "presence",
        );
      case "typing":
        return withBackendErrors(handleTyping(conn, frame, this.deps.typing), frame.id, "history");
      case "upload":
        return viaMedia(handleUpload(conn, frame, this.deps.media), frame.id);
      case "upload_done":
        return viaMedia(handleUploadDone(conn, frame, this.deps.media), frame.id);
      case "download":
        return viaMedia(handleDownload(conn, frame, this.deps.media), frame.id);
      case "hello":
        throw RequestError.invalid("this connection already said hello");
    }
  }
}

function viaHistory(call: Promise<void>, id: string): Promise<void> {
  return withBackendErrors(call, id, "history");
}

function viaMedia(call: Promise<void>, id: string): Promise<void> {
  return withBackendErrors(call, id, "media");
}

/**
 * Keeps the callee's reason for caller errors, but replaces transport detail
 * of an unreachable service with a reason meant for clients.
 */
async function withBackendErrors(call: Promise<void>, id: string | undefined, service: string) {
  try {
    await call;
  } catch (err) {
    if (err instanceof EdgeOverloaded) throw err;
    if (err instanceof ParleyError && err.code === ErrorCode.Unavailable) {
      throw new RequestError(ErrorCode.Unavailable, `${service} unavailable, retry`, id, {
        cause: err,
      });
    }
    throw err;
  }
}
