import { isValidId, ParleyError, requireId } from "@parley/common";
import type { ReportPresenceRequest } from "@parley/proto/parley/presence/v1/presence";
import type { DeviceChange } from "./presence-record.js";

/** A checked ReportPresence request, its events grouped per user. */
export interface ValidReport {
  edgeId: string;
  /** Each user's events in report order (order across users is irrelevant). */
  changes: Map<string, DeviceChange[]>;
  snapshot: boolean;
  goodbye: boolean;
}

/**
 * Checks a report: well-formed ids, at most `maxEvents` events, and a
 * snapshot lists connects only. Throws INVALID_ARGUMENT naming the problem.
 */
export function validateReport(request: ReportPresenceRequest, maxEvents: number): ValidReport {
  const edgeId = requireId("edge_id", request.edgeId);
  if (request.events.length > maxEvents) {
    throw ParleyError.invalid(
      `a report carries at most ${maxEvents} events, got ${request.events.length}; split it`,
    );
  }
  if (request.snapshot && request.goodbye) {
    throw ParleyError.invalid("a report is a snapshot or a goodbye, not both");
  }
  const changes = new Map<string, DeviceChange[]>();
  request.events.forEach((event, i) => {
    if (!isValidId(event.userId) || !isValidId(event.deviceId)) {
      throw ParleyError.invalid(
        `events[${i}]: user_id and device_id must be 1 to 64 characters of A-Z, a-z, 0-9, '_' or '-'`,
      );
    }
    if (request.snapshot && !event.connected) {
      throw ParleyError.invalid(`events[${i}]: a snapshot lists connected devices only`);
    }
    const list = changes.get(event.userId) ?? [];
    if (!Number.isSafeInteger(event.atMs) || event.atMs < 0) {
      throw ParleyError.invalid(`events[${i}]: at_ms must be 0 or ms since the epoch`);
    }
    list.push({ deviceId: event.deviceId, connected: event.connected, atMs: event.atMs });
    changes.set(event.userId, list);
  });
  return { edgeId, changes, snapshot: request.snapshot, goodbye: request.goodbye };
}

/** Checks a GetPresence/WatchPresence id list. */
export function validateUserIds(userIds: string[], maxUsers: number): string[] {
  if (userIds.length > maxUsers) {
    throw ParleyError.invalid(`at most ${maxUsers} user ids per call, got ${userIds.length}`);
  }
  userIds.forEach((id, i) => requireId(`user_ids[${i}]`, id));
  return userIds;
}
