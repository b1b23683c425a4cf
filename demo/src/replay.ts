// Replays a plan through real WebSocket clients, one per user: groups are
// created, images uploaded to storage, then every conversation sends its
// messages in order (each send after the previous one's `sent`), all
// conversations at once. Then it waits for the deliveries, downloads every
// image once and reads every conversation's history back.
import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { signToken } from "@parley/common";
import * as hdr from "hdr-histogram-js";
import pRetry, { AbortError } from "p-retry";
import { DemoClient, type Frame, type Received } from "./client.js";
import { makeImage, type DemoImage } from "./images.js";
import type { Plan } from "./plan.js";

export interface ReplayOptions {
  url: string;
  tokenSecret: string;
  plan: Plan;
  seed: number;
  /** Offered sends per second over all conversations; 0: as fast as acked. */
  rate?: number;
  /** Give up waiting for deliveries after this long without progress. */
  settleMs?: number;
  log?: (line: string) => void;
}

/** What the server answered to one send. */
export interface Acked {
  messageId: string;
  conversationId: string;
  seq: number;
}

export interface HistoryPage {
  conversation: number;
  reader: string;
  messages: { id: string; seq: number; from: string; body?: string; media?: { sha256?: string } }[];
  error?: string;
}

export interface Replay {
  /** By message index. */
  acked: (Acked | undefined)[];
  /** Error frames of refused sends, by message index. */
  refused: Map<number, Frame>;
  /** Conversation ids by plan conversation index. */
  conversationIds: (string | undefined)[];
  /** Every user's received messages, in arrival order. */
  received: Map<string, Received[]>;
  images: Map<number, DemoImage>;
  /** Media ids of the uploaded images, by message index. */
  mediaIds: Map<number, string>;
  /** sha256 of the bytes a recipient downloaded, by message index. */
  downloads: Map<number, string>;
  history: HistoryPage[];
  /** Users whose socket closed during the run, with the close code. */
  closed: Map<string, string>;
  problems: string[];
  sendToSent: hdr.Histogram;
  sendToReceive: hdr.Histogram;
  /** From the first send to the last expected delivery (or giving up). */
  seconds: number;
}

const CONNECT_BATCH = 50;
const HISTORY_PAGE = 200;

export async function replay(options: ReplayOptions): Promise<Replay> {
  const { plan } = options;
  const log = options.log ?? (() => {});
  const histogram = () =>
    hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000 });
  const result: Replay = {
    acked: [],
    refused: new Map(),
    conversationIds: [],
    received: new Map(),
    images: new Map(),
    mediaIds: new Map(),
    downloads: new Map(),
    history: [],
    closed: new Map(),
    problems: [],
    sendToSent: histogram(),
    sendToReceive: histogram(),
    seconds: 0,
  };

  // Send time by sender and client id, for the receive latency.
  const sentAt = new Map<string, bigint>();
  log(`connecting ${plan.users.length} users`);
  const clients = await connectAll(options, result, sentAt);
  try {
    log(`creating ${plan.conversations.filter((c) => c.kind === "group").length} groups`);
    await createGroups(plan, clients, result);
    const withImage = plan.messages.filter((m) => m.image);
    log(`making and uploading ${withImage.length} images`);
    await inBatches(withImage, 8, async (m) => {
      const image = await makeImage(options.seed, m.index);
      result.images.set(m.index, image);
      result.mediaIds.set(m.index, await upload(clients.get(m.from)!, image, m.clientId));
    });

    log(`replaying ${plan.messages.length} messages in ${plan.conversations.length} conversations`);
    const started = process.hrtime.bigint();
    // Every member but the sender: its one device has the `sent` answer.
    const expected = plan.messages.reduce(
      (n, m) => n + plan.conversations[m.conversation]!.members.length - 1,
      0,
    );
    await sendAll(options, clients, result, sentAt);
    await settled(clients, expected, options.settleMs ?? 15_000, log);
    result.seconds = Number(process.hrtime.bigint() - started) / 1e9;

    log("downloading every image once and reading history back");
    await downloadAll(plan, clients, result);
    await readHistory(plan, clients, result);
  } finally {
    for (const c of clients.values())
      if (c.unexpectedClose) result.closed.set(c.user, c.unexpectedClose);
    await Promise.all([...clients.values()].map((c) => c.close()));
  }
  return result;
}

async function connectAll(options: ReplayOptions, result: Replay, sentAt: Map<string, bigint>) {
  const clients = new Map<string, DemoClient>();
  await inBatches(options.plan.users, CONNECT_BATCH, async (user) => {
    const token = await signToken({ userId: user, deviceId: "demo" }, options.tokenSecret, 3600);
    const client = await DemoClient.open(options.url, user, token);
    result.received.set(user, client.received);
    client.onMessage = (m) => {
      const at = sentAt.get(`${m.from}/${m.clientId}`);
      if (at !== undefined && m.from !== user) {
        result.sendToReceive.recordValue(Number((m.at - at) / 1000n));
      }
    };
    clients.set(user, client);
  });
  return clients;
}

async function createGroups(plan: Plan, clients: Map<string, DemoClient>, result: Replay) {
  const groups = plan.conversations.map((c, i) => ({ c, i })).filter(({ c }) => c.kind === "group");
  await inBatches(groups, 20, async ({ c, i }) => {
    const answer = await clients.get(c.creator)!.request({
      type: "create_group",
      id: `g${i}`,
      title: c.title!,
      members: c.members.filter((m) => m !== c.creator),
    });
    if (answer.type !== "group_created") {
      throw new Error(`create_group ${c.title}: ${JSON.stringify(answer)}`);
    }
    result.conversationIds[i] = (
      answer.conversation as { conversation_id: string }
    ).conversation_id;
  });
}

/** upload, PUT to storage with the grant's headers, upload_done. */
async function upload(client: DemoClient, image: DemoImage, key: string): Promise<string> {
  const granted = await client.request({
    type: "upload",
    id: `u-${key}`,
    content_type: image.contentType,
    size: image.bytes.length,
    sha256: image.sha256,
    file_name: image.fileName,
  });
  if (granted.type !== "upload_grant") throw new Error(`upload: ${JSON.stringify(granted)}`);
  const grant = granted.upload as { method: string; url: string; headers: Record<string, string> };
  // Storage may answer 500 or 503 ("please try again"), as S3 does under
  // load; a client retries those. Anything else is the demo's failure.
  await pRetry(
    async () => {
      const put = await fetch(grant.url, {
        method: grant.method,
        headers: grant.headers,
        body: new Uint8Array(image.bytes),
      });
      if (put.ok) return;
      const failure = new Error(`PUT ${image.fileName}: ${put.status} ${await put.text()}`);
      if (put.status < 500) throw new AbortError(failure);
      throw failure;
    },
    { retries: 4, minTimeout: 100 },
  );
  const mediaId = (granted.media as { media_id: string }).media_id;
  const done = await client.request({ type: "upload_done", id: `ud-${key}`, media_id: mediaId });
  if (done.type !== "media") throw new Error(`upload_done: ${JSON.stringify(done)}`);
  return mediaId;
}

async function sendAll(
  options: ReplayOptions,
  clients: Map<string, DemoClient>,
  result: Replay,
  sentAt: Map<string, bigint>,
) {
  const { plan } = options;
  const pace = pacer(options.rate ?? 0);
  await Promise.all(
    plan.conversations.map(async (conversation, c) => {
      for (const index of conversation.messages) {
        const m = plan.messages[index]!;
        await pace();
        const target = result.conversationIds[c];
        const mediaId = result.mediaIds.get(index);
        const frame: Frame & { id: string } = {
          type: "send",
          id: m.clientId,
          ...(target?.startsWith("g_")
            ? { conversation_id: target }
            : { to: conversation.members.find((u) => u !== m.from)! }),
          body: m.body,
          ...(mediaId === undefined ? {} : { media_id: mediaId }),
        };
        let start = 0n;
        const answer = await clients.get(m.from)!.request(frame, () => {
          start = process.hrtime.bigint();
          sentAt.set(`${m.from}/${m.clientId}`, start);
        });
        if (answer.type !== "sent") {
          result.refused.set(index, answer);
          continue;
        }
        result.sendToSent.recordValue(Number((process.hrtime.bigint() - start) / 1000n));
        result.acked[index] = {
          messageId: answer.message_id as string,
          conversationId: answer.conversation_id as string,
          seq: answer.seq as number,
        };
        result.conversationIds[c] ??= answer.conversation_id as string;
      }
    }),
  );
}

/** Waits until `expected` deliveries arrived, or nothing arrived for `quietMs`. */
async function settled(
  clients: Map<string, DemoClient>,
  expected: number,
  quietMs: number,
  log: (line: string) => void,
) {
  let last = -1;
  let lastChange = Date.now();
  for (;;) {
    const got = [...clients.values()].reduce((n, c) => n + c.received.length, 0);
    if (got >= expected) return;
    if (got !== last) [last, lastChange] = [got, Date.now()];
    if (Date.now() - lastChange > quietMs) {
      log(`still ${expected - got} deliveries short after ${quietMs} ms without progress`);
      return;
    }
    await sleep(50);
  }
}

async function downloadAll(plan: Plan, clients: Map<string, DemoClient>, result: Replay) {
  await inBatches([...result.images.keys()], 8, async (index) => {
    const m = plan.messages[index]!;
    const reader = plan.conversations[m.conversation]!.members.find((u) => u !== m.from)!;
    const answer = await clients.get(reader)!.request({
      type: "download",
      id: `dl-${m.clientId}`,
      media_id: result.mediaIds.get(index)!,
    });
    if (answer.type !== "download_url") {
      result.problems.push(`download of ${m.clientId} by ${reader}: ${JSON.stringify(answer)}`);
      return;
    }
    const got = await fetch(answer.url as string);
    const bytes = Buffer.from(await got.arrayBuffer());
    result.downloads.set(index, createHash("sha256").update(bytes).digest("hex"));
  });
}

/**
 * Pages each conversation's history oldest first, as one member. History
 * is written behind the log, so a page set that is still short is read
 * again for a while.
 */
async function readHistory(plan: Plan, clients: Map<string, DemoClient>, result: Replay) {
  const deadline = Date.now() + 30_000;
  await inBatches([...plan.conversations.keys()], 20, async (c) => {
    const conversation = plan.conversations[c]!;
    const reader = conversation.members[conversation.members.length - 1]!;
    const id = result.conversationIds[c];
    const want = conversation.messages.filter((i) => result.acked[i]).length;
    for (let attempt = 0; ; attempt++) {
      const page: HistoryPage = { conversation: c, reader, messages: [] };
      if (id !== undefined) await readPages(clients.get(reader)!, id, c, page);
      const complete = page.messages.filter((m) => m.body !== undefined || m.media).length >= want;
      if (complete || page.error || Date.now() > deadline) {
        result.history.push(page);
        return;
      }
      await sleep(250);
    }
  });
}

async function readPages(client: DemoClient, conversationId: string, c: number, page: HistoryPage) {
  let after = 0;
  for (let n = 0; ; n++) {
    const answer = await client.request({
      type: "history",
      id: `h${c}-${n}-${Date.now()}`,
      conversation_id: conversationId,
      ...(after > 0 ? { after_seq: after } : { from_oldest: true }),
      limit: HISTORY_PAGE,
    });
    if (answer.type !== "history") {
      page.error = JSON.stringify(answer);
      return;
    }
    const messages = answer.messages as HistoryPage["messages"];
    page.messages.push(...messages.filter((m) => !("membership" in m)));
    if (!answer.has_more || messages.length === 0) return;
    after = messages[messages.length - 1]!.seq;
  }
}

/** A limiter of the offered rate: resolves when the next send may go. */
function pacer(perSecond: number): () => Promise<void> {
  if (perSecond <= 0) return async () => {};
  const gap = 1000 / perSecond;
  let next = Date.now();
  return async () => {
    const at = Math.max(next, Date.now());
    next = at + gap;
    await sleep(at - Date.now());
  };
}

/** Runs `work` over `items`, at most `width` at a time. */
async function inBatches<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}
