import { ParleyError, unary, type Logger } from "@parley/common";
import type { ConversationServiceServer } from "@parley/proto/parley/history/v1/conversations";
import { getConversation, listMembers } from "../conversations/get-conversation.js";
import { filterContacts } from "../conversations/filter-contacts.js";
import { listConversations } from "../conversations/list-conversations.js";
import { addMembers } from "../groups/add-members.js";
import { createGroup } from "../groups/create-group.js";
import type { GroupDeps } from "../groups/group-deps.js";
import { leaveGroup } from "../groups/leave-group.js";
import { removeMember } from "../groups/remove-member.js";
import { recordReceipts, type ReceiptDeps } from "../receipts/record-receipts.js";

/** The ConversationService handlers (parley.history.v1). */
export function conversationService(
  groups: GroupDeps,
  receipts: ReceiptDeps,
  log: Logger,
): ConversationServiceServer {
  const { reader } = groups;
  const handle = <Req, Res>(method: string, run: (request: Req) => Promise<Res>) =>
    unary<Req, Res>(method, log, (request) => storeErrorsAsUnavailable(run(request)));
  return {
    createGroup: handle("CreateGroup", (r) => createGroup(groups, r)),
    addMembers: handle("AddMembers", (r) => addMembers(groups, r)),
    removeMember: handle("RemoveMember", (r) => removeMember(groups, r)),
    leaveGroup: handle("LeaveGroup", (r) => leaveGroup(groups, r)),
    getConversation: handle("GetConversation", (r) => getConversation(reader, r)),
    listMembers: handle("ListMembers", (r) => listMembers(reader, r)),
    filterContacts: handle("FilterContacts", (r) => filterContacts(receipts.pool, r)),
    listConversations: handle("ListConversations", (r) => listConversations(reader, r)),
    recordReceipts: handle("RecordReceipts", (r) => recordReceipts(receipts, r)),
  };
}

/**
 * A failure that is not a ParleyError comes from Postgres or NATS: worth a
 * retry by the caller, which the unary shell logs with its cause.
 */
async function storeErrorsAsUnavailable<T>(result: Promise<T>): Promise<T> {
  try {
    return await result;
  } catch (err) {
    if (err instanceof ParleyError) throw err;
    throw ParleyError.unavailable("history store unavailable; retry", err);
  }
}
