// Group fanout end to end: G groups of M members over real WebSockets
// through svc-edge, svc-delivery (fanout into every member's inbox), NATS and
// svc-history. In each group one member sends, keeping a window of unacked
// sends; every other member receives and acks. The headline figure is
// member deliveries per second (a message to a group of 10 counts 9).
//
//   npx tsx bench/group.ts --url ws://127.0.0.1:8080/ws --groups 20 --members 10 --messages 100
//
// Tokens are signed with PARLEY_TOKEN_SECRET or the local development secret.
import { parseArgs } from "node:util";
import type WebSocket from "ws";
import {
  latencyHistogram,
  microsSince,
  openSession,
  percentiles,
  request,
  type Frame,
} from "./support/session.js";

const { values } = parseArgs({
  options: {
    url: { type: "string", default: "ws://127.0.0.1:8080/ws" },
    groups: { type: "string", default: "20" },
    members: { type: "string", default: "10" },
    messages: { type: "string", default: "100" },
    window: { type: "string", default: "5" },
  },
});
const groupCount = Number(values.groups);
const memberCount = Number(values.members);
const perGroup = Number(values.messages);
const window = Number(values.window);
const run = Date.now().toString(36);

const ackLatency = latencyHistogram();
const deliverLatency = latencyHistogram();
const sentAt = new Map<string, bigint>();
let duplicates = 0;

interface Group {
  conversationId: string;
  sender: WebSocket;
  receivers: WebSocket[];
}

async function setUp(g: number): Promise<Group> {
  const users = Array.from({ length: memberCount }, (_, m) => `g${run}x${g}m${m}`);
  const sockets = await Promise.all(users.map((u) => openSession(values.url!, u)));
  const created = await request(sockets[0]!, {
    type: "create_group",
    id: `create-${g}`,
    title: `bench ${g}`,
    members: users.slice(1),
  });
  if (created.type === "error") throw new Error(JSON.stringify(created));
  const conversationId = (created.conversation as { conversation_id: string }).conversation_id;
  return { conversationId, sender: sockets[0]!, receivers: sockets.slice(1) };
}

/** Resolves once the member has received every message of the run. */
function receive(ws: WebSocket): Promise<void> {
  const seen = new Set<string>();
  return new Promise((resolve) => {
    ws.on("message", (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      if (frame.type !== "message") return;
      ws.send(JSON.stringify({ type: "ack", inbox_seq: frame.inbox_seq }));
      const message = frame.message as { client_id: string; body?: string };
      if (message.body === undefined) return; // the group's membership events
      if (seen.has(message.client_id)) duplicates++;
      seen.add(message.client_id);
      const start = sentAt.get(message.client_id);
      if (start !== undefined) deliverLatency.recordValue(microsSince(start));
      if (seen.size === perGroup) resolve();
    });
  });
}

function send(group: Group, g: number): Promise<void> {
  let next = 0;
  let acked = 0;
  return new Promise((resolve, reject) => {
    const transmit = (id: string) =>
      group.sender.send(
        JSON.stringify({
          type: "send",
          id,
          conversation_id: group.conversationId,
          body: `message ${id} `.padEnd(100, "."),
        }),
      );
    const sendOne = () => {
      const id = `${g}-${next++}`;
      sentAt.set(id, process.hrtime.bigint());
      transmit(id);
    };
    group.sender.on("message", (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      if (frame.type === "error" && frame.code === "unavailable") {
        setTimeout(() => transmit(frame.id as string), 100);
        return;
      }
      if (frame.type === "error") reject(new Error(JSON.stringify(frame)));
      if (frame.type !== "sent") return;
      ackLatency.recordValue(microsSince(sentAt.get(frame.id as string)!));
      if (++acked === perGroup) resolve();
      else if (next < perGroup) sendOne();
    });
    for (let i = 0; i < Math.min(window, perGroup); i++) sendOne();
  });
}

const groups: Group[] = [];
for (let g = 0; g < groupCount; g++) groups.push(await setUp(g));
const received = groups.flatMap((group) => group.receivers.map(receive));
await new Promise((r) => setTimeout(r, 500));

const started = process.hrtime.bigint();
await Promise.all(groups.map(send));
await Promise.all(received);
const seconds = microsSince(started) / 1e6;
for (const group of groups) for (const ws of [group.sender, ...group.receivers]) ws.close();

const messages = groupCount * perGroup;
const deliveries = messages * (memberCount - 1);
console.table({
  "send → sent (server ack)": percentiles(ackLatency),
  "send → received by a member": percentiles(deliverLatency),
});
console.log(
  JSON.stringify({
    groups: groupCount,
    members: memberCount,
    messages,
    member_deliveries: deliveries,
    seconds: Number(seconds.toFixed(2)),
    messages_per_second: Math.round(messages / seconds),
    member_deliveries_per_second: Math.round(deliveries / seconds),
    duplicates,
  }),
);
