import { ErrorCode, ParleyError, type Logger } from "@parley/common";
import type {
  ReceiptResult,
  RecordReceiptsRequest,
  RecordReceiptsResponse,
} from "@parley/proto/parley/history/v1/conversations";
import pLimit from "p-limit";
import type pg from "pg";
import type { EventPublisher } from "../nats/event-publisher.js";
import type { ConversationReader } from "../pg/conversation-reader.js";
import { inTransaction } from "../pg/transaction.js";
import {
  lastStoredSeq,
  lastStoredSeqs,
  lockWatermarks,
  pairKey,
  raiseWatermarks,
  readWatermarks,
  saveWatermarks,
  type MemberWatermarks,
} from "../pg/watermark-store.js";
import { directMemberFromLog } from "./direct-member.js";
import type { LogBound } from "./log-bound.js";
import { receiptAudience, type Members, type MovedWatermarks } from "./receipt-audience.js";
import { receiptEvent } from "./receipt-event.js";
import { isUpdateError, validateUpdate, type ValidUpdate } from "./receipt-update.js";
import { nextWatermarks, sameWatermarks, type Watermarks } from "./watermarks.js";

export interface ReceiptDeps {
  pool: pg.Pool;
  reader: ConversationReader;
  publisher: EventPublisher;
  bound: LogBound;
  /** Most updates one call may carry. */
  maxUpdates: number;
  log: Logger;
}

/** Pairs without a member row yet, applied side by side on the slow path. */
const CONCURRENCY = 4;

/** Pairs whose values need the log checked (see beyondLog), side by side. */
const LOOKUPS = 16;

const NOT_A_MEMBER = "user is not a member of the conversation";

/** An update and its place in the request. */
interface Indexed {
  index: number;
  update: ValidUpdate;
}

/**
 * RecordReceipts. The updates of one (user, conversation) pair apply in
 * request order. A call costs a few statements whatever its size: one read
 * of every pair's watermarks, one of the conversations' stored ends when an
 * update goes past what the member had, and one UPDATE raising every row
 * that moved (each row under its own lock, never moving back). Only a pair
 * without a member row (a 1:1 participant history has not stored yet, or a
 * stranger) takes the old path of a transaction per update. Afterwards, one
 * Receipt event per pair that moved carries its final watermarks, also when
 * another update of the call failed: what was stored is announced.
 */
export async function recordReceipts(
  deps: ReceiptDeps,
  request: RecordReceiptsRequest,
): Promise<RecordReceiptsResponse> {
  const { updates } = request;
  if (updates.length > deps.maxUpdates) {
    throw ParleyError.invalid(`at most ${deps.maxUpdates} updates per call`);
  }
  const results: ReceiptResult[] = new Array<ReceiptResult>(updates.length);
  const pairs = new Map<string, Indexed[]>();
  updates.forEach((raw, index) => {
    const update = validateUpdate(raw);
    if (isUpdateError(update)) {
      results[index] = failed(update.code, update.reason);
      return;
    }
    const key = pairKey(update.conversationId, update.userId);
    const ofPair = pairs.get(key);
    if (ofPair) ofPair.push({ index, update });
    else pairs.set(key, [{ index, update }]);
  });
  const moved: MovedWatermarks[] = [];
  try {
    if (pairs.size > 0) {
      const firsts = [...pairs.values()].map((ofPair) => ofPair[0]!.update);
      const stored = await readWatermarks(deps.pool, firsts);
      const members = [...pairs].filter(([key]) => stored.has(key)).map(([, ofPair]) => ofPair);
      const others = [...pairs].filter(([key]) => !stored.has(key)).map(([, ofPair]) => ofPair);
      await Promise.all([
        applyToMembers(deps, members, stored, results, moved),
        applyToOthers(deps, others, results, moved),
      ]);
    }
  } finally {
    await publishReceipts(deps, moved);
  }
  return { results };
}

/** Pairs with a member row: their updates folded in memory, then one UPDATE. */
async function applyToMembers(
  deps: ReceiptDeps,
  pairs: Indexed[][],
  stored: Map<string, Watermarks>,
  results: ReceiptResult[],
  moved: MovedWatermarks[],
): Promise<void> {
  if (pairs.length === 0) return;
  const storedOf = (ofPair: Indexed[]) => {
    const { conversationId, userId } = ofPair[0]!.update;
    return stored.get(pairKey(conversationId, userId))!;
  };
  // Only values past a member's delivered watermark need the conversation's end.
  const reaching = pairs.filter((ofPair) =>
    ofPair.some(({ update }) => wantedSeq(update) > storedOf(ofPair).delivered),
  );
  const ends = await lastStoredSeqs(
    deps.pool,
    unique(reaching.map((ofPair) => ofPair[0]!.update.conversationId)),
  );
  const raises: (MemberWatermarks & { before: Watermarks; ofPair: Indexed[] })[] = [];
  const limit = pLimit(LOOKUPS);
  await Promise.all(
    pairs.map((ofPair) =>
      limit(async () => {
        const before = storedOf(ofPair);
        let marks = before;
        for (const { index, update } of ofPair) {
          const beyond = await beyondLog(deps, ends, update, marks);
          if (beyond !== null) {
            results[index] = beyondLogError(beyond);
            continue;
          }
          marks = nextWatermarks(marks, update.requested);
          results[index] = succeeded(marks);
        }
        const { conversationId, userId } = ofPair[0]!.update;
        if (!sameWatermarks(before, marks)) {
          raises.push({ conversationId, userId, ...marks, before, ofPair });
        }
      }),
    ),
  );
  const raised = await raiseWatermarks(deps.pool, raises);
  for (const { conversationId, userId, before, ofPair } of raises) {
    const applied = ofPair.filter(({ index }) => results[index]!.errorCode === "");
    const marks = raised.get(pairKey(conversationId, userId));
    if (!marks) {
      // The row went between the read and the write: the member left.
      for (const { index } of applied)
        results[index] = failed(ErrorCode.PermissionDenied, NOT_A_MEMBER);
      continue;
    }
    // Another call may have moved the row further still: the last answer says so.
    results[applied.at(-1)!.index] = succeeded(marks);
    if (!sameWatermarks(before, marks)) moved.push({ conversationId, userId, before, marks });
  }
}

/**
 * Pairs without a member row: each update in a transaction of its own that
 * may add a 1:1 participant the log names (see directMemberFromLog), or
 * refuses a stranger.
 */
async function applyToOthers(
  deps: ReceiptDeps,
  pairs: Indexed[][],
  results: ReceiptResult[],
  moved: MovedWatermarks[],
): Promise<void> {
  const ends = new Map<string, number>();
  const limit = pLimit(CONCURRENCY);
  await Promise.all(
    pairs.map((ofPair) =>
      limit(async () => {
        let change: MovedWatermarks | undefined;
        for (const { index, update } of ofPair) {
          const outcome = await applyAlone(deps, ends, update);
          if ("errorCode" in outcome) {
            results[index] = outcome;
            continue;
          }
          results[index] = succeeded(outcome.next);
          if (!sameWatermarks(outcome.current, outcome.next)) {
            const { conversationId, userId } = update;
            change = {
              conversationId,
              userId,
              before: change?.before ?? outcome.current,
              marks: outcome.next,
            };
          }
        }
        if (change) moved.push(change);
      }),
    ),
  );
}

async function applyAlone(
  deps: ReceiptDeps,
  ends: Map<string, number>,
  update: ValidUpdate,
): Promise<ReceiptResult | { current: Watermarks; next: Watermarks }> {
  const { conversationId, userId, requested } = update;
  return inTransaction(deps.pool, async (client) => {
    const current =
      (await lockWatermarks(client, conversationId, userId)) ??
      (await directMemberFromLog(client, deps.bound, conversationId, userId, requested));
    if (!current) return failed(ErrorCode.PermissionDenied, NOT_A_MEMBER);
    const beyond = await beyondLog(deps, ends, update, current);
    if (beyond !== null) return beyondLogError(beyond);
    const next = nextWatermarks(current, requested);
    if (!sameWatermarks(current, next)) {
      await saveWatermarks(client, conversationId, userId, next);
    }
    return { current, next };
  });
}

/**
 * The requested seq that lies beyond the conversation's last event, or
 * null. Values up to the current delivered watermark were checked when it
 * was set, so only higher ones cost a lookup: the stored end (`ends`,
 * filled on demand), then the log, then Postgres again, because an entry
 * leaves the log once history has stored and acked it, which can happen
 * between the first two reads.
 */
async function beyondLog(
  deps: ReceiptDeps,
  ends: Map<string, number>,
  update: ValidUpdate,
  current: Watermarks,
): Promise<number | null> {
  const wanted = wantedSeq(update);
  if (wanted <= current.delivered) return null;
  const { conversationId } = update;
  let end = ends.get(conversationId);
  if (end === undefined) {
    end = await lastStoredSeq(deps.pool, conversationId);
    ends.set(conversationId, end);
  }
  if (wanted <= end) return null;
  if (await deps.bound.reaches(conversationId, wanted)) return null;
  const fresh = await lastStoredSeq(deps.pool, conversationId);
  ends.set(conversationId, Math.max(end, fresh));
  return wanted <= fresh ? null : wanted;
}

function wantedSeq(update: ValidUpdate): number {
  return Math.max(update.requested.delivered, update.requested.read);
}

/**
 * Publishes the receipts after commit. The watermarks are stored whatever
 * happens here; a receipt that cannot be published is logged and lost for
 * live devices (they see the watermarks in ListMembers and the next
 * receipt). Closing that gap needs an outbox, as for membership events.
 */
async function publishReceipts(deps: ReceiptDeps, moved: MovedWatermarks[]): Promise<void> {
  if (moved.length === 0) return;
  // One read for every conversation: a flush moves members of many.
  let members: Map<string, Members> | undefined;
  try {
    members = await deps.reader.memberIdsOf(unique(moved.map((m) => m.conversationId)));
  } catch (err) {
    deps.log.error({ err, receipts: moved.length }, "could not publish receipts");
    return;
  }
  const membersOf = async (conversationId: string) =>
    members.get(conversationId) ?? { ids: [], version: 0 };
  await Promise.all(
    moved.map(async (m) => {
      try {
        const audience = await receiptAudience(deps.pool, membersOf, deps.bound, m);
        // E.g. delivered moved over the member's own messages only.
        if (audience.memberIds.length === 0) return;
        await deps.publisher.append(receiptEvent({ ...m, ...audience }));
      } catch (err) {
        deps.log.error(
          { err, conversation_id: m.conversationId, user_id: m.userId },
          "could not publish a receipt",
        );
      }
    }),
  );
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}

function succeeded(marks: Watermarks): ReceiptResult {
  return { errorCode: "", errorReason: "", deliveredSeq: marks.delivered, readSeq: marks.read };
}

function beyondLogError(seq: number): ReceiptResult {
  return failed(ErrorCode.InvalidArgument, `seq ${seq} is beyond the conversation's last event`);
}

function failed(code: ErrorCode, reason: string): ReceiptResult {
  return { errorCode: code, errorReason: reason, deliveredSeq: 0, readSeq: 0 };
}
