import type { KV, KvEntry } from "@nats-io/kv";
import { jittered } from "../delivery/jitter.js";

/** One device linked to a user, as stored in the registry. */
export interface LinkedDevice {
  device_id: string;
  /** When it was linked, ms since the epoch. */
  linked_at: number;
}

/** How link() admitted a device. */
export type LinkOutcome =
  /** It was linked already: nothing changed. */
  | "known"
  /** Linked now, and it is the user's only device. */
  | "first"
  /** Linked now, next to the user's other devices. */
  | "added"
  /** Not linked: the user has `max` devices already. */
  | "full";

/** Attempts of one compare-and-set change before it is given up. */
const CAS_ATTEMPTS = 10;

/**
 * The devices linked to each user, in a KV bucket: key = user id, value =
 * JSON array of LinkedDevice. Every change is a compare-and-set on the
 * key's revision, retried on conflict, so that hellos on several edges at
 * once never lose a device nor link more than `max`.
 */
export class LinkedDevices {
  constructor(
    private readonly kv: KV,
    readonly max: number,
  ) {}

  /** The user's linked devices, oldest link first. */
  async list(userId: string): Promise<LinkedDevice[]> {
    return parse(await this.kv.get(userId));
  }

  /** Links the device unless it is linked already or the user is at the cap. */
  link(userId: string, deviceId: string, now = Date.now()): Promise<LinkOutcome> {
    return this.change(userId, (devices) => {
      if (devices.some((d) => d.device_id === deviceId)) return { outcome: "known" };
      if (devices.length >= this.max) return { outcome: "full" };
      return {
        outcome: devices.length === 0 ? "first" : "added",
        next: [...devices, { device_id: deviceId, linked_at: now }],
      };
    });
  }

  /** Unlinks the device; false when it was not linked. */
  unlink(userId: string, deviceId: string): Promise<boolean> {
    return this.change(userId, (devices) => {
      const next = devices.filter((d) => d.device_id !== deviceId);
      return next.length === devices.length ? { outcome: false } : { outcome: true, next };
    });
  }

  /**
   * Reads the user's list, lets `decide` compute the new one (undefined:
   * leave it) and writes it only if nobody wrote in between; otherwise
   * decides again on the fresh list.
   */
  private async change<T>(
    userId: string,
    decide: (devices: LinkedDevice[]) => { outcome: T; next?: LinkedDevice[] },
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const entry = await this.kv.get(userId);
      const { outcome, next } = decide(parse(entry));
      if (!next) return outcome;
      try {
        const value = JSON.stringify(next);
        // A deleted key keeps a revision: update() on it is still a CAS.
        if (entry) await this.kv.update(userId, value, entry.revision);
        else await this.kv.create(userId, value);
        return outcome;
      } catch (err) {
        if (attempt >= CAS_ATTEMPTS) throw err;
        // Another writer won: wait a little, at random, so that a herd of
        // hellos for one user does not collide again in lockstep.
        await new Promise((resolve) => setTimeout(resolve, jittered(5 * attempt)));
      }
    }
  }
}

function parse(entry: KvEntry | null): LinkedDevice[] {
  if (!entry || entry.operation !== "PUT") return [];
  return JSON.parse(entry.string()) as LinkedDevice[];
}
