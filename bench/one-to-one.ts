// First end-to-end figure: P pairs of users over real WebSockets through
// svc-edge, svc-delivery and NATS. Each sender keeps a window of unacked
// sends; each receiver acks what it gets. Reports send-to-ack and
// send-to-receive latency and the delivered rate.
//
//   npx tsx bench/one-to-one.ts --url ws://127.0.0.1:8080/ws --pairs 50 --messages 200
//
// Tokens are signed with PARLEY_TOKEN_SECRET or the local development secret.
import { INSECURE_DEV_TOKEN_SECRET, signToken } from "@parley/common";
import hdr from "hdr-histogram-js";
import { parseArgs } from "node:util";
import WebSocket from "ws";

const { values } = parseArgs({
  options: {
    url: { type: "string", default: "ws://127.0.0.1:8080/ws" },
    pairs: { type: "string", default: "50" },
    messages: { type: "string", default: "200" },
    window: { type: "string", default: "20" },
  },
});
const pairs = Number(values.pairs);
const perSender = Number(values.messages);
const window = Number(values.window);
const secret = process.env.PARLEY_TOKEN_SECRET ?? INSECURE_DEV_TOKEN_SECRET;
const run = Date.now().toString(36);

type Frame = Record<string, unknown> & { type: string };

async function open(user: string): Promise<WebSocket> {
  const ws = new WebSocket(values.url!);
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  const token = await signToken({ userId: user, deviceId: "bench" }, secret, 3600);
  ws.send(JSON.stringify({ type: "hello", token }));
  await new Promise<void>((resolve) => {
    const onFrame = (data: WebSocket.RawData) => {
      if ((JSON.parse(String(data)) as Frame).type === "caught_up") {
        ws.off("message", onFrame);
        resolve();
      }
    };
    ws.on("message", onFrame);
  });
  return ws;
}

const ackLatency = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000 });
const deliverLatency = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000 });
const sentAt = new Map<string, bigint>();
let retries = 0;
const micros = (since: bigint) => Number((process.hrtime.bigint() - since) / 1000n);

async function receiver(user: string, expected: number): Promise<void> {
  const ws = await open(user);
  let seen = 0;
  return new Promise((resolve) => {
    ws.on("message", (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      if (frame.type !== "message") return;
      const message = frame.message as { client_id: string };
      const start = sentAt.get(message.client_id);
      if (start !== undefined) deliverLatency.recordValue(micros(start));
      ws.send(JSON.stringify({ type: "ack", inbox_seq: frame.inbox_seq }));
      if (++seen === expected) {
        ws.close();
        resolve();
      }
    });
  });
}

async function sender(user: string, to: string): Promise<void> {
  const ws = await open(user);
  let next = 0;
  let acked = 0;
  return new Promise((resolve, reject) => {
    const transmit = (id: string) =>
      ws.send(JSON.stringify({ type: "send", id, to, body: `message ${id} `.padEnd(100, ".") }));
    const sendOne = () => {
      const id = `${user}-${next++}`;
      sentAt.set(id, process.hrtime.bigint());
      transmit(id);
    };
    ws.on("message", (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      // Like a real client: an overloaded service is retried with the same id.
      if (frame.type === "error" && frame.code === "unavailable") {
        retries++;
        setTimeout(() => transmit(frame.id as string), 100);
        return;
      }
      if (frame.type === "error") reject(new Error(JSON.stringify(frame)));
      if (frame.type !== "sent") return;
      ackLatency.recordValue(micros(sentAt.get(frame.id as string)!));
      if (++acked === perSender) {
        ws.close();
        resolve();
      } else if (next < perSender) {
        sendOne();
      }
    });
    for (let i = 0; i < Math.min(window, perSender); i++) sendOne();
  });
}

const receivers = Array.from({ length: pairs }, (_, i) => receiver(`r${run}x${i}`, perSender));
await new Promise((r) => setTimeout(r, 500));
const started = process.hrtime.bigint();
await Promise.all(Array.from({ length: pairs }, (_, i) => sender(`s${run}x${i}`, `r${run}x${i}`)));
await Promise.all(receivers);
const seconds = micros(started) / 1e6;
const total = pairs * perSender;
const ms = (h: hdr.Histogram, p: number) => (h.getValueAtPercentile(p) / 1000).toFixed(1);

console.table({
  "send → sent (server ack)": {
    p50_ms: ms(ackLatency, 50),
    p90_ms: ms(ackLatency, 90),
    p99_ms: ms(ackLatency, 99),
    max_ms: (ackLatency.maxValue / 1000).toFixed(1),
  },
  "send → received": {
    p50_ms: ms(deliverLatency, 50),
    p90_ms: ms(deliverLatency, 90),
    p99_ms: ms(deliverLatency, 99),
    max_ms: (deliverLatency.maxValue / 1000).toFixed(1),
  },
});
console.log(
  JSON.stringify({
    pairs,
    messages: total,
    seconds: Number(seconds.toFixed(2)),
    delivered_per_second: Math.round(total / seconds),
    retried_sends: retries,
  }),
);
