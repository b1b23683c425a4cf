import { ErrorCode, ParleyError } from "@parley/common";
import { RequestError } from "../errors.js";
import type { DeliveryClient } from "../grpc/delivery-client.js";
import type { HistoryClient } from "../grpc/history-client.js";
import type { Connection, RequestHandler } from "../ws/connection.js";
import type { ClientFrame } from "../ws/frames.js";
import { handleHistory } from "./history.js";
import { handleSend } from "./send.js";

/**
 * Dispatches the frames of open connections. The connection has already
 * taken the token of requests that reach another service (send, history).
 */
export class RequestRouter implements RequestHandler {
  constructor(
    private readonly delivery: DeliveryClient,
    private readonly history: HistoryClient,
  ) {}

  async handle(conn: Connection, frame: ClientFrame): Promise<void> {
    switch (frame.type) {
      case "ping":
        return conn.send(
          frame.id === undefined ? { type: "pong" } : { type: "pong", id: frame.id },
        );
      case "ack":
        return conn.deviceSession.ack(frame.inbox_seq);
      case "send":
        return withBackendErrors(handleSend(conn, frame, this.delivery), frame.id, "delivery");
      case "history":
        return withBackendErrors(handleHistory(conn, frame, this.history), frame.id, "history");
      case "hello":
        throw RequestError.invalid("this connection already said hello");
    }
  }
}

/**
 * Keeps the callee's reason for caller errors, but replaces transport detail
 * of an unreachable service with a reason meant for clients.
 */
async function withBackendErrors(call: Promise<void>, id: string, service: string) {
  try {
    await call;
  } catch (err) {
    if (err instanceof ParleyError && err.code === ErrorCode.Unavailable) {
      throw new RequestError(ErrorCode.Unavailable, `${service} unavailable, retry`, id, {
        cause: err,
      });
    }
    throw err;
  }
}
