import { ParleyError, requireId } from "@parley/common";
import type {
  FilterContactsRequest,
  FilterContactsResponse,
} from "@parley/proto/parley/history/v1/conversations";
import type pg from "pg";

/** Most candidates one call may name (conversations.proto). */
export const MAX_CANDIDATES = 500;

// The user's list first (one shard, by user_id), then the members of those
// conversations among the candidates (by conversation_id, the
// distribution column of conversation_members).
const CONVERSATIONS_OF = "SELECT conversation_id FROM user_conversations WHERE user_id = $1";
const MEMBERS_AMONG = `SELECT DISTINCT user_id FROM conversation_members
  WHERE conversation_id = ANY($1) AND user_id = ANY($2)`;

/**
 * FilterContacts: the candidates who share a conversation with the user
 * now (a removed member shares nothing any more).
 */
export async function filterContacts(
  pool: pg.Pool,
  request: FilterContactsRequest,
): Promise<FilterContactsResponse> {
  const userId = requireId("user_id", request.userId);
  if (request.candidateIds.length > MAX_CANDIDATES) {
    throw ParleyError.invalid(`at most ${MAX_CANDIDATES} candidate_ids per call`);
  }
  const candidates = [
    ...new Set(request.candidateIds.map((id) => requireId("candidate_ids", id))),
  ].filter((id) => id !== userId);
  if (candidates.length === 0) return { contactIds: [] };
  const { rows: conversations } = await pool.query<{ conversation_id: string }>(CONVERSATIONS_OF, [
    userId,
  ]);
  if (conversations.length === 0) return { contactIds: [] };
  const { rows } = await pool.query<{ user_id: string }>(MEMBERS_AMONG, [
    conversations.map((c) => c.conversation_id),
    candidates,
  ]);
  const shared = new Set(rows.map((r) => r.user_id));
  return { contactIds: candidates.filter((id) => shared.has(id)) };
}
