import { ErrorCode, isGroupConversationId, ParleyError, type Logger } from "@parley/common";
import type {
  ReceiptResult,
  RecordReceiptsRequest,
  RecordReceiptsResponse,
} from "@parley/proto/parley/history/v1/conversations";
import type pg from "pg";
import type { EventPublisher } from "../nats/event-publisher.js";
import type { ConversationReader } from "../pg/conversation-reader.js";
import { inTransaction } from "../pg/transaction.js";
import {
  addDirectMember,
  lastStoredSeq,
  lockWatermarks,
  saveWatermarks,
} from "../pg/watermark-store.js";
import { forEachLimited } from "./limited.js";
import type { LogBound } from "./log-bound.js";
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

interface Moved {
  conversationId: string;
  userId: string;
  marks: Watermarks;
}

/**
 * RecordReceipts. Updates of one (user, conversation) pair apply in request
 * order, each in its own transaction holding that member's row; different
 * pairs run concurrently. After all committed, one Receipt event per pair
 * that moved carries its final watermarks to the conversation's members.
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
  const moved = new Map<string, Moved>();
  const indexes = Map.groupBy(updates.keys(), (i) => pairKey(updates[i]!));
  await forEachLimited([...indexes.values()], CONCURRENCY, async (ofPair) => {
    for (const i of ofPair)
      results[i] = await applyUpdate(deps, validateUpdate(updates[i]!), moved);
  });
  await publishReceipts(deps, [...moved.values()]);
  return { results };
}

async function applyUpdate(
  deps: ReceiptDeps,
  update: ReturnType<typeof validateUpdate>,
  moved: Map<string, Moved>,
): Promise<ReceiptResult> {
  if (isUpdateError(update)) return failed(update.code, update.reason);
  return inTransaction(deps.pool, async (client) => {
    const { conversationId, userId, requested } = update;
    const current =
      (await lockWatermarks(client, conversationId, userId)) ??
      (await directMemberFromLog(deps, client, conversationId, userId));
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
      moved.set(pairKey(update), { conversationId, userId, marks: next });
    }
    return { errorCode: "", errorReason: "", deliveredSeq: next.delivered, readSeq: next.read };
  });
}

/**
 * A 1:1 conversation's members are derived from its events, which history
 * stores a batch after fanout delivered them: a receipt for a message that
 * just arrived may find no member row yet. The log's newest entry of the
 * conversation names both participants; when it lists the user, the row is
 * added now (locked, like any other) instead of refusing a real member.
 */
async function directMemberFromLog(
  deps: ReceiptDeps,
  client: pg.ClientBase,
  conversationId: string,
  userId: string,
): Promise<Watermarks | null> {
  if (isGroupConversationId(conversationId)) return null;
  const last = await deps.bound.lastEntry(conversationId);
  if (!last?.memberIds.includes(userId)) return null;
  await addDirectMember(client, conversationId, userId, last.seq);
  return lockWatermarks(client, conversationId, userId);
}

/**
 * The requested seq that lies beyond the conversation's last event, or
 * null. Values up to the current delivered watermark were checked when it
 * was set, so only higher ones cost a lookup (Postgres, then the log).
 */
async function beyondLog(
  deps: ReceiptDeps,
  client: pg.ClientBase,
  update: ValidUpdate,
  current: Watermarks,
): Promise<number | null> {
  const wanted = Math.max(update.requested.delivered, update.requested.read);
  if (wanted <= current.delivered) return null;
  const stored = await lastStoredSeq(client, update.conversationId);
  if (wanted <= stored) return null;
  const last = await deps.bound.lastSeq(update.conversationId, stored);
  return wanted <= last ? null : wanted;
}

/**
 * Publishes the receipts after commit. The watermarks are stored whatever
 * happens here; a receipt that cannot be published is logged and lost for
 * live devices (they see the watermarks in ListMembers and the next
 * receipt). Closing that gap needs an outbox, as for membership events.
 */
async function publishReceipts(deps: ReceiptDeps, moved: Moved[]): Promise<void> {
  const members = new Map<string, Promise<{ ids: string[]; version: number }>>();
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
        const { ids, version } = await membersOf(m.conversationId);
        await deps.publisher.append(
          receiptEvent({ ...m, memberIds: ids, membershipVersion: version }),
        );
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
