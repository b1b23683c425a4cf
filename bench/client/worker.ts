// A load-client worker process (forked by pool.ts): holds devices for many
// users, runs the coordinator's commands and answers each over IPC.
import { connect as natsConnect, type NatsConnection } from "@nats-io/transport-node";
import { signToken } from "@parley/common";
import { encodeIntoCompressedBase64 } from "hdr-histogram-js";
import type { Command, ConnectResult, Transport, WorkerStatus } from "./commands.js";
import { WsDevice, type Device, type DeviceEvents } from "./device.js";
import { NatsDevice } from "./nats-device.js";
import { latencyHistogram, Recorder } from "./recorder.js";
import { Sender } from "./sender.js";

const ACK_INTERVAL_MS = 250;
const TOKEN_TTL_SECONDS = 6 * 3600;

const devices = new Map<string, Device>();
const recorder = new Recorder();
const sender = new Sender(devices, recorder);
let transport: Transport | undefined;
let nc: NatsConnection | undefined;
let dropped = 0;
let firstDrop: string | undefined;
/** Users still waiting for their `expect`ed messages, and when they got them. */
let awaiting: { expect: number; startedAt: number; done: Record<string, number> } | undefined;

const events: DeviceEvents = {
  message(device, message) {
    recorder.received(device.user, message);
    if (awaiting && (recorder.perUser.get(device.user) ?? 0) === awaiting.expect) {
      awaiting.done[device.user] = performance.timeOrigin + performance.now();
    }
  },
  sent: (device, id) => sender.onSent(device, id),
  failed: (device, id, code) => sender.onFailed(device, id, code),
  closed(device, code, reason) {
    devices.delete(device.user);
    dropped++;
    firstDrop ??= `${device.user}: ${code} ${reason}`;
  },
};

setInterval(() => {
  for (const device of devices.values()) device.flushAck();
}, ACK_INTERVAL_MS).unref();

async function openDevice(user: string, index: number): Promise<Device> {
  if (transport?.kind === "nats") return new NatsDevice(nc!, transport.prefix, user, events);
  const ws = transport!;
  if (ws.kind !== "ws") throw new Error("no transport");
  const token = await signToken({ userId: user, deviceId: "bench" }, ws.secret, TOKEN_TTL_SECONDS);
  const url = ws.urls[index % ws.urls.length]!;
  return WsDevice.open({ url, user, token, localAddress: ws.localAddress }, events);
}

async function connectAll(command: Extract<Command, { cmd: "connect" }>): Promise<ConnectResult> {
  const latency = latencyHistogram();
  const result = { opened: 0, failed: 0, firstError: undefined as string | undefined };
  const startedAt = performance.timeOrigin + performance.now();
  if (command.expect !== undefined) awaiting = { expect: command.expect, startedAt, done: {} };
  let next = 0;
  const lane = async () => {
    while (next < command.users.length) {
      const i = next++;
      const user = command.users[i]!;
      const began = process.hrtime.bigint();
      try {
        devices.set(user, await openDevice(user, command.first + i));
        latency.recordValue(Math.max(1, Number((process.hrtime.bigint() - began) / 1000n)));
        result.opened++;
      } catch (err) {
        result.failed++;
        result.firstError ??= (err as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: command.concurrency }, lane));
  const finishedAt = performance.timeOrigin + performance.now();
  if (nc) await nc.flush();
  const completedAt = awaiting ? await waitForExpected(command.users) : undefined;
  awaiting = undefined;
  return {
    ...result,
    startedAt,
    finishedAt,
    connectLatency: encodeIntoCompressedBase64(latency),
    completedAt,
  };
}

async function waitForExpected(users: string[], timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  const waiting = awaiting!;
  const complete = () => users.every((u) => (recorder.perUser.get(u) ?? 0) >= waiting.expect);
  while (!complete() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  for (const user of users) {
    if ((recorder.perUser.get(user) ?? 0) >= waiting.expect)
      waiting.done[user] ??= waiting.startedAt;
  }
  return waiting.done;
}

async function handle(command: Command): Promise<unknown> {
  switch (command.cmd) {
    case "setup":
      transport = command.transport;
      if (transport.kind === "nats") nc = await natsConnect({ servers: transport.url });
      return {};
    case "connect":
      return connectAll(command);
    case "disconnect":
      await Promise.all(
        command.users.map((user) => {
          const device = devices.get(user);
          devices.delete(user);
          if (command.abrupt) return device?.terminate();
          return device?.close();
        }),
      );
      return {};
    case "createGroups": {
      const ids: Record<string, string> = {};
      for (const group of command.groups) {
        const answer = await devices.get(group.creator)!.request({
          type: "create_group",
          id: `create-${group.tag}`,
          title: `bench ${group.tag}`,
          members: group.members.filter((m) => m !== group.creator),
        });
        if (answer.type === "error") throw new Error(`create_group: ${JSON.stringify(answer)}`);
        ids[group.tag] = (answer.conversation as { conversation_id: string }).conversation_id;
      }
      return ids;
    }
    case "load":
      sender.load(command.slots, command.groupShare, command.rate, command.bodyBytes);
      return {};
    case "drain":
      await sender.drain();
      return {};
    case "burst":
      await sender.burst(command.slots, command.perSlot, command.window, command.bodyBytes);
      return { refused: sender.refused };
    case "snapshot":
      return recorder.snapshot();
    case "ledger":
      return { ...recorder.ledger(), acked: sender.ackedPerSlot() };
    case "status":
      return {
        open: devices.size,
        dropped,
        rss: process.memoryUsage().rss,
        firstDrop,
      } satisfies WorkerStatus;
  }
}

process.on("message", (message: { seq: number; command: Command }) => {
  handle(message.command).then(
    (result) => process.send!({ seq: message.seq, result }),
    (err: Error) => process.send!({ seq: message.seq, error: err.message }),
  );
});
// The coordinator is gone (it ended or crashed): nothing left to do.
process.on("disconnect", () => process.exit(0));
