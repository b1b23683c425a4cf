import { isValidConversationId, ParleyError, unary, type Logger } from "@parley/common";
import type {
  GetHistoryRequest,
  GetHistoryResponse,
  HistoryServiceServer,
  LookupMessageRequest,
  LookupMessageResponse,
} from "@parley/proto/parley/history/v1/history";
import { parsePageRequest, type PageLimits } from "../domain/page-request.js";
import type { HistoryReader } from "../pg/history-reader.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// One reason for "not a member" and "no such conversation", so a caller
// cannot tell which conversation ids exist.
const NOT_A_MEMBER = "not a member of the conversation";

/** The HistoryService handlers (parley.history.v1). */
export function historyService(
  reader: HistoryReader,
  limits: PageLimits,
  log: Logger,
): HistoryServiceServer {
  const getHistory = async (request: GetHistoryRequest): Promise<GetHistoryResponse> => {
    const page = parsePageRequest(request, limits);
    try {
      const fromSeq = await reader.readableFrom(page.conversationId, page.readerId);
      if (fromSeq === null) throw ParleyError.denied(NOT_A_MEMBER);
      const { messages, hasMore } = await reader.page(
        page.conversationId,
        page.cursor,
        page.limit,
        fromSeq,
      );
      return { messages, hasMore };
    } catch (err) {
      if (err instanceof ParleyError) throw err;
      // A store failure is worth a retry by the caller; unary logs the cause.
      throw ParleyError.unavailable("history store unavailable", err);
    }
  };
  const lookupMessage = async (request: LookupMessageRequest): Promise<LookupMessageResponse> => {
    if (!isValidConversationId(request.conversationId)) {
      throw ParleyError.invalid("conversation_id is malformed");
    }
    if (!UUID.test(request.messageId)) throw ParleyError.invalid("message_id is not a UUID");
    const found = await reader.lookup(request.conversationId, request.messageId).catch((err) => {
      throw ParleyError.unavailable("history store unavailable", err);
    });
    return found
      ? { found: true, seq: found.seq, sentAtMs: found.sentAtMs }
      : { found: false, seq: 0, sentAtMs: 0 };
  };
  return {
    getHistory: unary("GetHistory", log, getHistory),
    lookupMessage: unary("LookupMessage", log, lookupMessage),
  };
}
