/**
 * What svc-presence knows of one user, stored as JSON under `u.<user>` in
 * the presence bucket. Field names are the stored ones.
 */
export interface PresenceRecord {
  /** The user's connected devices, by the edge (process run) holding them. */
  edges: Record<string, string[]>;
  /** Set during the grace period: when the last device left, ms. */
  offline_since_ms?: number;
  /** When the user was last seen online, ms; 0 when never. */
  last_seen_ms: number;
}

/** A user's device event on one edge, in report order. */
export interface DeviceChange {
  deviceId: string;
  connected: boolean;
  /** When the edge saw it, ms since the epoch; 0 when unknown. */
  atMs?: number;
}

/** The furthest back a reported time is believed (clocks and slow reports). */
const MAX_REPORTED_AGE_MS = 60_000;

/**
 * When the user's last device left, as far as this report tells: the time
 * the edge saw the user's last disconnect, if the changes end with one and
 * carry a believable time, else `nowMs` (the report's arrival).
 */
export function leftAtMs(changes: readonly DeviceChange[], nowMs: number): number {
  const last = changes.at(-1);
  const at = last && !last.connected ? (last.atMs ?? 0) : 0;
  if (at <= 0) return nowMs;
  return Math.min(nowMs, Math.max(at, nowMs - MAX_REPORTED_AGE_MS));
}

/** How a change looks to watchers, and what the store must do beside it. */
export type Transition =
  /** Was offline (grace over), now has a device: publish online. */
  | "came_online"
  /** Lost its last device: the grace period starts; nothing is published. */
  | "entered_grace"
  /** A device came back within the grace period: nothing is published. */
  | "left_grace"
  | "none";

export const EMPTY_RECORD: PresenceRecord = Object.freeze({ edges: {}, last_seen_ms: 0 });

export function hasDevices(record: PresenceRecord): boolean {
  return Object.keys(record.edges).length > 0;
}

export function inGrace(record: PresenceRecord): boolean {
  return record.offline_since_ms !== undefined;
}

/** Online to watchers: a device is connected, or the grace period runs. */
export function isOnline(record: PresenceRecord): boolean {
  return hasDevices(record) || inGrace(record);
}

/** The record with the edge's devices changed in order; no other field. */
export function applyChanges(
  record: PresenceRecord,
  edgeId: string,
  changes: readonly DeviceChange[],
): PresenceRecord {
  const devices = new Set(record.edges[edgeId] ?? []);
  for (const change of changes) {
    if (change.connected) devices.add(change.deviceId);
    else devices.delete(change.deviceId);
  }
  return withEdgeDevices(record, edgeId, [...devices]);
}

/** The record with the edge's devices replaced (none: the edge is dropped). */
export function withEdgeDevices(
  record: PresenceRecord,
  edgeId: string,
  devices: readonly string[],
): PresenceRecord {
  const edges = { ...record.edges };
  if (devices.length > 0) edges[edgeId] = [...devices];
  else delete edges[edgeId];
  return { ...record, edges };
}

/**
 * Completes a device change: starts the grace period when the last device
 * left (at `leftMs`, which becomes last seen), ends it when one came back.
 * `before` is the stored record.
 */
export function settle(
  before: PresenceRecord,
  after: PresenceRecord,
  leftMs: number,
): { record: PresenceRecord; transition: Transition } {
  const rest: PresenceRecord = { edges: after.edges, last_seen_ms: after.last_seen_ms };
  if (hasDevices(after)) {
    const transition = inGrace(before) ? "left_grace" : isOnline(before) ? "none" : "came_online";
    return { record: rest, transition };
  }
  if (hasDevices(before)) {
    return { record: { ...rest, offline_since_ms: leftMs }, transition: "entered_grace" };
  }
  // Nothing was connected before either: a stray disconnect changes nothing.
  return { record: before, transition: "none" };
}

/** The record once the grace period is over: offline, last seen set. */
export function wentOffline(record: PresenceRecord): PresenceRecord {
  return { edges: {}, last_seen_ms: record.offline_since_ms ?? record.last_seen_ms };
}

/** Whether the user's grace period is over at `nowMs`. */
export function graceOver(record: PresenceRecord, graceMs: number, nowMs: number): boolean {
  return (
    !hasDevices(record) &&
    record.offline_since_ms !== undefined &&
    record.offline_since_ms + graceMs <= nowMs
  );
}

export function sameRecord(a: PresenceRecord, b: PresenceRecord): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function encodeRecord(record: PresenceRecord): string {
  return JSON.stringify(record);
}

/** Parses a stored record; anything unreadable counts as no record. */
export function decodeRecord(json: string): PresenceRecord {
  try {
    const value = JSON.parse(json) as Partial<PresenceRecord>;
    if (typeof value !== "object" || value === null || typeof value.edges !== "object") {
      return EMPTY_RECORD;
    }
    return {
      edges: value.edges ?? {},
      last_seen_ms: Number(value.last_seen_ms ?? 0),
      ...(value.offline_since_ms !== undefined
        ? { offline_since_ms: Number(value.offline_since_ms) }
        : {}),
    };
  } catch {
    return EMPTY_RECORD;
  }
}
