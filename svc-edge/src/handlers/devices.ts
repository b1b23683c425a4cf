import { ErrorCode } from "@parley/common";
import type { DeviceLinker } from "../devices/device-linker.js";
import { RequestError } from "../errors.js";
import type { Connection } from "../ws/connection.js";
import type { DevicesRequestFrame, UnlinkDeviceFrame } from "../ws/frames.js";

/** Lists the user's linked devices, marking the connection's own. */
export async function handleDevices(
  conn: Connection,
  frame: DevicesRequestFrame,
  devices: DeviceLinker,
): Promise<void> {
  const { userId, deviceId } = conn.deviceSession.identity;
  const linked = await devices.list(userId);
  conn.send({
    type: "devices",
    id: frame.id,
    devices: linked.map((d) => ({
      device_id: d.device_id,
      linked_at: d.linked_at,
      current: d.device_id === deviceId,
    })),
  });
}

/**
 * Unlinks one of the user's devices. Unlinking the connection's own device
 * closes this connection (4403) before any answer can be sent.
 */
export async function handleUnlinkDevice(
  conn: Connection,
  frame: UnlinkDeviceFrame,
  devices: DeviceLinker,
): Promise<void> {
  const { userId } = conn.deviceSession.identity;
  if (!(await devices.unlink(userId, frame.device_id))) {
    throw new RequestError(ErrorCode.NotFound, "no such device linked", frame.id);
  }
  conn.send({ type: "unlinked", id: frame.id, device_id: frame.device_id });
}
