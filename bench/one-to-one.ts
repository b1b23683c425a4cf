// First end-to-end figure: P pairs of users over real WebSockets through
// svc-edge, svc-delivery and NATS. Each sender keeps a window of unacked
// sends; each receiver acks what it gets. Reports send-to-ack and
// send-to-receive latency and the delivered rate.
//
//   npx tsx bench/one-to-one.ts --url ws://127.0.0.1:8080/ws --pairs 50 --messages 200
//
// Tokens are signed with PARLEY_TOKEN_SECRET or the local development secret.
import { parseArgs } from "node:util";
import {
  latencyHistogram,
  microsSince as micros,
  openSession,
  percentiles,
  type Frame,
} from "./support/session.js";

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
const run = Date.now().toString(36);
const open = (user: string) => openSession(values.url!, user);

const ackLatency = latencyHistogram();
const deliverLatency = latencyHistogram();
const sentAt = new Map<string, bigint>();
let retries = 0;

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
console.table({
  "send → sent (server ack)": percentiles(ackLatency),
  "send → received": percentiles(deliverLatency),
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
