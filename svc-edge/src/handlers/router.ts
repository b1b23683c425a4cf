import { ErrorCode, ParleyError } from "@parley/common";
import type { DeviceLinker } from "../devices/device-linker.js";
import { RequestError } from "../errors.js";
import type { DeliveryClient } from "../grpc/delivery-client.js";
import type { HistoryClient } from "../grpc/history-client.js";
import type { Connection, RequestHandler } from "../ws/connection.js";
import type { ClientFrame } from "../ws/frames.js";
import { handleDevices, handleUnlinkDevice } from "./devices.js";
import { handleHistory } from "./history.js";
import { handleSend } from "./send.js";

/**
 * Dispatches the frames of open connections. The connection has already
 * taken the token of requests that reach another service or NATS (send,
 * history, devices, unlink_device).
 */
export class RequestRouter implements RequestHandler {
  constructor(
    private readonly delivery: DeliveryClient,
    private readonly history: HistoryClient,
    private readonly devices: DeviceLinker,
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
      case "devices":
        return handleDevices(conn, frame, this.devices);
      case "unlink_device":
        return handleUnlinkDevice(conn, frame, this.devices);
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
