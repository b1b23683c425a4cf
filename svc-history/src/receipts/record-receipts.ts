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
import { lastStoredSeq, lockWatermarks, saveWatermarks } from "../pg/watermark-store.js";
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

/** Updates of different (user, conversation) pairs applied side by side. */
const CONCURRENCY = 4;

const NOT_A_MEMBER = "user is not a member of the conversation";

/**
 * RecordReceipts. Updates of one (user, conversation) pair apply in request
 * order, each in its own transaction holding that member's row; different
 * pairs run concurrently. Afterwards, one Receipt event per pair that moved
 * carries its final watermarks, also when another update of the call
 * failed: what committed is announced.
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
  const moved = new Map<string, MovedWatermarks>();
  const indexes = Map.groupBy(updates.keys(), (i) => pairKey(updates[i]!));
  const limit = pLimit(CONCURRENCY);
  try {
    await Promise.all(
      [...indexes.values()].map((ofPair) =>
        limit(async () => {
          for (const i of ofPair) {
            results[i] = await applyUpdate(deps, validateUpdate(updates[i]!), moved);
          }
        }),
      ),
    );
  } finally {
    await publishReceipts(deps, [...moved.values()]);
  }
  return { results };
}

async function applyUpdate(
  deps: ReceiptDeps,
  update: ReturnType<typeof validateUpdate>,
  moved: Map<string, MovedWatermarks>,
): Promise<ReceiptResult> {
  if (isUpdateError(update)) return failed(update.code, update.reason);
  const { conversationId, userId, requested } = update;
  const next = await inTransaction(deps.pool, async (client) => {
    const current =
      (await lockWatermarks(client, conversationId, userId)) ??
      (await directMemberFromLog(client, deps.bound, conversationId, userId, requested));
    if (!current) return failed(ErrorCode.PermissionDenied, NOT_A_MEMBER);
    const beyond = await beyondLog(deps, client, update, current);
    if (beyond !== null) {
      return failed(
        ErrorCode.InvalidArgument,
        `seq ${beyond} is beyond the conversation's last event`,
      );
    }
    const next = nextWatermarks(current, requested);
    if (!sameWatermarks(current, next)) {
      await saveWatermarks(client, conversationId, userId, next);
    }
    return { current, next };
  });
  if ("errorCode" in next) return next;
  // Recorded only once committed, so that only what is stored is announced.
  if (!sameWatermarks(next.current, next.next)) {
    const before = moved.get(pairKey(update))?.before ?? next.current;
    moved.set(pairKey(update), { conversationId, userId, before, marks: next.next });
  }
  return {
    errorCode: "",
    errorReason: "",
    deliveredSeq: next.next.delivered,
    readSeq: next.next.read,
  };
}

/**
 * The requested seq that lies beyond the conversation's last event, or
 * null. Values up to the current delivered watermark were checked when it
 * was set, so only higher ones cost a lookup: Postgres, then the log, then
 * Postgres again, because an entry leaves the log once history has stored
 * and acked it, which can happen between the first two reads.
 */
async function beyondLog(
  deps: ReceiptDeps,
  client: pg.ClientBase,
  update: ValidUpdate,
  current: Watermarks,
): Promise<number | null> {
  const wanted = Math.max(update.requested.delivered, update.requested.read);
  if (wanted <= current.delivered) return null;
  if (wanted <= (await lastStoredSeq(client, update.conversationId))) return null;
  if (await deps.bound.reaches(update.conversationId, wanted)) return null;
  if (wanted <= (await lastStoredSeq(client, update.conversationId))) return null;
  return wanted;
}

/**
 * Publishes the receipts after commit. The watermarks are stored whatever
 * happens here; a receipt that cannot be published is logged and lost for
 * live devices (they see the watermarks in ListMembers and the next
 * receipt). Closing that gap needs an outbox, as for membership events.
 */
async function publishReceipts(deps: ReceiptDeps, moved: MovedWatermarks[]): Promise<void> {
  // Read once per conversation: a flush often moves many members of one group.
  const members = new Map<string, Promise<Members>>();
  const membersOf = (conversationId: string) => {
    let found = members.get(conversationId);
    if (!found) {
      found = deps.reader.members(conversationId).then(({ members: rows, version }) => ({
        ids: rows.map((r) => r.user_id),
        version,
      }));
      members.set(conversationId, found);
    }
    return found;
  };
  await Promise.all(
    moved.map(async (m) => {
      try {
        const audience = await receiptAudience(deps.pool, membersOf, deps.bound, m);
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

function pairKey(update: { conversationId: string; userId: string }): string {
  return `${update.conversationId}\0${update.userId}`;
}

function failed(code: ErrorCode, reason: string): ReceiptResult {
  return { errorCode: code, errorReason: reason, deliveredSeq: 0, readSeq: 0 };
}
