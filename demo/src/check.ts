// The end-of-run check: every message reached every member's device once,
// in the conversation's order, byte for byte (body, and the image's
// sha256 in the message and of the downloaded bytes), and history holds
// every message in order with the same content.
import { createHash } from "node:crypto";
import type { Received } from "./client.js";
import type { Plan, PlannedMessage } from "./plan.js";
import type { Replay } from "./replay.js";

export interface Check {
  ok: boolean;
  messages: number;
  acked: number;
  deliveriesExpected: number;
  deliveries: number;
  missing: number;
  duplicates: number;
  outOfOrder: number;
  mismatched: number;
  unexpected: number;
  historyMessages: number;
  historyMissing: number;
  imagesDownloaded: number;
  imagesMismatched: number;
  /** The first problems found, described. */
  problems: string[];
}

const MAX_LISTED = 20;
const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

export function check(plan: Plan, run: Replay): Check {
  const problems = [...run.problems];
  const note = (problem: string) => problems.push(problem);
  const result: Check = {
    ok: false,
    messages: plan.messages.length,
    acked: run.acked.filter(Boolean).length,
    deliveriesExpected: 0,
    deliveries: 0,
    missing: 0,
    duplicates: 0,
    outOfOrder: 0,
    mismatched: 0,
    unexpected: 0,
    historyMessages: 0,
    historyMissing: 0,
    imagesDownloaded: 0,
    imagesMismatched: 0,
    problems,
  };
  for (const [index, frame] of run.refused)
    note(`send ${plan.messages[index]!.clientId} refused: ${JSON.stringify(frame)}`);
  for (const [user, code] of run.closed) note(`${user}'s socket closed during the run: ${code}`);

  const byServerId = new Map<string, PlannedMessage>();
  for (const m of plan.messages) {
    const acked = run.acked[m.index];
    if (acked) byServerId.set(acked.messageId, m);
  }
  const expectedSha = (m: PlannedMessage) => run.images.get(m.index)?.sha256;
  const same = (
    m: PlannedMessage,
    body: string | undefined,
    from: string,
    media: string | undefined,
  ) =>
    body !== undefined &&
    sha256(body) === sha256(m.body) &&
    from === m.from &&
    media === expectedSha(m);

  // Deliveries: per user, per conversation, in arrival order.
  for (const user of plan.users) {
    const arrivals = run.received.get(user) ?? [];
    const seen = new Map<string, number>();
    const order = new Map<number, number[]>();
    for (const got of arrivals) {
      const m = byServerId.get(got.id);
      if (!m || !plan.conversations[m.conversation]!.members.includes(user)) {
        result.unexpected++;
        note(`${user} got a message it should not have: ${got.id}`);
        continue;
      }
      if (m.from === user) {
        result.unexpected++;
        note(`${user} got its own ${m.clientId} back on the device that sent it`);
        continue;
      }
      const times = (seen.get(got.id) ?? 0) + 1;
      seen.set(got.id, times);
      if (times > 1) {
        result.duplicates++;
        note(`${user} got ${m.clientId} ${times} times`);
        continue;
      }
      result.deliveries++;
      if (!same(m, got.body, got.from, got.mediaSha256) || got.seq !== run.acked[m.index]!.seq) {
        result.mismatched++;
        note(`${user} got ${m.clientId} altered: ${describe(got)} for ${JSON.stringify(m.body)}`);
      }
      order.set(m.conversation, [...(order.get(m.conversation) ?? []), m.index]);
    }
    for (const [c, conversation] of plan.conversations.entries()) {
      if (!conversation.members.includes(user)) continue;
      // A user's only device sent its own messages: it gets the others'.
      const wanted = conversation.messages.filter(
        (i) => run.acked[i] && plan.messages[i]!.from !== user,
      );
      result.deliveriesExpected += wanted.length;
      const got = order.get(c) ?? [];
      for (const i of wanted) {
        if (!seen.has(run.acked[i]!.messageId)) {
          result.missing++;
          note(`${user} never got ${plan.messages[i]!.clientId}`);
        }
      }
      const inPlanOrder = wanted.filter((i) => got.includes(i));
      if (inPlanOrder.some((i, k) => got[k] !== i)) {
        result.outOfOrder++;
        note(`${user} got conversation ${c} out of order: ${got.join(",")}`);
      }
    }
  }

  // Images: the bytes one recipient downloaded are the bytes uploaded.
  for (const [index, image] of run.images) {
    if (!run.acked[index]) continue;
    const downloaded = run.downloads.get(index);
    if (downloaded !== undefined) result.imagesDownloaded++;
    if (downloaded !== image.sha256) {
      result.imagesMismatched++;
      note(`image of ${plan.messages[index]!.clientId}: downloaded ${downloaded ?? "nothing"}`);
    }
  }

  // History: one member's pages hold the conversation's messages, in order.
  for (const page of run.history) {
    const conversation = plan.conversations[page.conversation]!;
    const wanted = conversation.messages.filter((i) => run.acked[i]);
    if (page.error)
      note(`history of conversation ${page.conversation} for ${page.reader}: ${page.error}`);
    const stored = page.messages.map((h) => ({ h, m: byServerId.get(h.id) }));
    const ours = stored.filter(({ m }) => m !== undefined);
    result.historyMessages += ours.length;
    const ids = ours.map(({ m }) => m!.index);
    for (const i of wanted) {
      if (!ids.includes(i)) {
        result.historyMissing++;
        note(`history of conversation ${page.conversation} lacks ${plan.messages[i]!.clientId}`);
      }
    }
    if (ids.join(",") !== wanted.filter((i) => ids.includes(i)).join(",")) {
      result.outOfOrder++;
      note(`history of conversation ${page.conversation} out of order: ${ids.join(",")}`);
    }
    for (const { h, m } of ours) {
      if (!same(m!, h.body, h.from, h.media?.sha256)) {
        result.mismatched++;
        note(`history of conversation ${page.conversation} altered ${m!.clientId}`);
      }
    }
    if (stored.length !== ours.length) {
      result.unexpected += stored.length - ours.length;
      note(`history of conversation ${page.conversation} holds messages nobody sent`);
    }
  }

  result.ok =
    problems.length === 0 &&
    result.acked === result.messages &&
    result.deliveries === result.deliveriesExpected &&
    result.historyMessages === result.acked &&
    result.imagesDownloaded === [...run.images.keys()].length;
  if (problems.length > MAX_LISTED) {
    const more = problems.length - MAX_LISTED;
    problems.splice(MAX_LISTED, more, `... and ${more} more`);
  }
  return result;
}

function describe(got: Received): string {
  return JSON.stringify({ from: got.from, body: got.body, media: got.mediaSha256, seq: got.seq });
}
