// What every end-to-end bench needs: authenticated WebSocket sessions and
// latency histograms printed the same way.
import { INSECURE_DEV_TOKEN_SECRET, signToken } from "@parley/common";
import type { Histogram } from "hdr-histogram-js";
import WebSocket from "ws";

export type Frame = Record<string, unknown> & { type: string };

const secret = process.env.PARLEY_TOKEN_SECRET ?? INSECURE_DEV_TOKEN_SECRET;

/** Connects, says hello as `user` (device "bench") and waits for caught_up. */
export async function openSession(url: string, user: string): Promise<WebSocket> {
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  const token = await signToken({ userId: user, deviceId: "bench" }, secret, 3600);
  ws.send(JSON.stringify({ type: "hello", token }));
  await new Promise<void>((resolve, reject) => {
    const onFrame = (data: WebSocket.RawData) => {
      const frame = JSON.parse(String(data)) as Frame;
      if (frame.type === "error") reject(new Error(JSON.stringify(frame)));
      if (frame.type !== "caught_up") return;
      ws.off("message", onFrame);
      resolve();
    };
    ws.on("message", onFrame);
  });
  return ws;
}

/** Sends one request frame and resolves with the answer carrying its id. */
export function request(
  ws: WebSocket,
  frame: { id: string } & Record<string, unknown>,
): Promise<Frame> {
  return new Promise((resolve) => {
    const onFrame = (data: WebSocket.RawData) => {
      const answer = JSON.parse(String(data)) as Frame;
      if (answer.id !== frame.id) return;
      ws.off("message", onFrame);
      resolve(answer);
    };
    ws.on("message", onFrame);
    ws.send(JSON.stringify(frame));
  });
}

export { latencyHistogram } from "../client/recorder.js";

export const microsSince = (since: bigint) => Number((process.hrtime.bigint() - since) / 1000n);

/** One table row of percentiles in milliseconds. */
export function percentiles(h: Histogram): Record<string, string> {
  const ms = (p: number) => (h.getValueAtPercentile(p) / 1000).toFixed(1);
  return { p50_ms: ms(50), p90_ms: ms(90), p99_ms: ms(99), max_ms: (h.maxValue / 1000).toFixed(1) };
}
