import { randomId } from "../protocol/ids.js";

const KEY = "parley.identity";

export interface Identity {
  userId: string;
  deviceId: string;
}

/** Who this browser signed in as last, so a reload signs in again. */
export function savedIdentity(): Identity | undefined {
  try {
    const value = JSON.parse(localStorage.getItem(KEY) ?? "null") as Identity | null;
    return value?.userId && value.deviceId ? value : undefined;
  } catch {
    return undefined;
  }
}

export function saveIdentity(identity: Identity | undefined): void {
  if (identity) localStorage.setItem(KEY, JSON.stringify(identity));
  else localStorage.removeItem(KEY);
}

/**
 * This browser's device id: kept across sign-ins, so that signing in again
 * does not link one more device (a user may have 5).
 */
export function browserDeviceId(): string {
  const key = "parley.device";
  let id = localStorage.getItem(key);
  if (!id) {
    id = randomId("web-").slice(0, 16);
    localStorage.setItem(key, id);
  }
  return id;
}
