import type { IncomingMessage, ServerResponse } from "node:http";
import { isValidId, signToken } from "@parley/common";
import type { HttpRoute } from "./static-files.js";

export const DEV_TOKEN_PATH = "/dev/token";

/** Largest request body the endpoint reads: two ids and some JSON. */
const MAX_BODY_BYTES = 1_024;

/**
 * POST /dev/token {"user_id","device_id"} answers {"token","expires_at"}:
 * a token for any user, signed with the edge's secret. For local
 * development and tests only (EDGE_DEV_TOKENS): whoever reaches the port
 * can be anyone. When it is off the route does not exist (404).
 */
export function devTokens(secret: string, ttlSeconds: number): HttpRoute {
  return (req, res) => {
    if ((req.url ?? "").split("?")[0] !== DEV_TOKEN_PATH) return false;
    if (req.method !== "POST") {
      reply(res, 405, { error: "use POST" }, { allow: "POST" });
      return true;
    }
    mint(req, res, secret, ttlSeconds).catch(() => {
      if (!res.headersSent) reply(res, 500, { error: "internal" });
      else res.destroy();
    });
    return true;
  };
}

async function mint(
  req: IncomingMessage,
  res: ServerResponse,
  secret: string,
  ttlSeconds: number,
): Promise<void> {
  const body = await readBody(req);
  if (body === undefined) return reply(res, 413, { error: "body too large" });
  let ids: { user_id?: unknown; device_id?: unknown };
  try {
    ids = JSON.parse(body) as typeof ids;
  } catch {
    return reply(res, 400, { error: "body must be JSON" });
  }
  const userId = ids?.user_id;
  const deviceId = ids?.device_id;
  if (!isValidId(userId) || !isValidId(deviceId)) {
    return reply(res, 400, {
      error: "user_id and device_id must be 1 to 64 characters of A-Z a-z 0-9 _ -",
    });
  }
  const token = await signToken({ userId, deviceId }, secret, ttlSeconds);
  reply(res, 200, { token, expires_at: Date.now() + ttlSeconds * 1_000 });
}

/** The body as text, or undefined when it passes MAX_BODY_BYTES. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function reply(
  res: ServerResponse,
  status: number,
  body: object,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    "content-type": "application/json",
    "cache-control": "no-store",
    ...headers,
  });
  res.end(JSON.stringify(body));
}
