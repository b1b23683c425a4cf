/**
 * Asks the edge for a token for a test user (POST /dev/token, which the
 * edge answers only when it runs with EDGE_DEV_TOKENS, as `npm start` does).
 */
export async function fetchDevToken(userId: string, deviceId: string): Promise<string> {
  const res = await fetch("/dev/token", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ user_id: userId, device_id: deviceId }),
  });
  if (res.status === 404) {
    throw new Error("this server does not hand out test tokens (EDGE_DEV_TOKENS is off)");
  }
  const body = (await res.json().catch(() => ({}))) as { token?: string; error?: string };
  if (!res.ok || !body.token) throw new Error(body.error ?? `token request failed (${res.status})`);
  return body.token;
}

/** The edge's WebSocket URL on the origin the page came from. */
export function edgeSocketUrl(): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/ws`;
}
