import { callUnary, createClient } from "@parley/common";
import {
  ConversationServiceClient,
  type AddMembersRequest,
  type AddMembersResponse,
  type CreateGroupRequest,
  type CreateGroupResponse,
  type FilterContactsRequest,
  type FilterContactsResponse,
  type GetConversationRequest,
  type GetConversationResponse,
  type LeaveGroupRequest,
  type LeaveGroupResponse,
  type ListConversationsRequest,
  type ListConversationsResponse,
  type ListMembersRequest,
  type ListMembersResponse,
  type RecordReceiptsRequest,
  type RecordReceiptsResponse,
  type RemoveMemberRequest,
  type RemoveMemberResponse,
} from "@parley/proto/parley/history/v1/conversations";

/**
 * svc-history's ConversationService as the edge sees it (same address as
 * HistoryClient). Every call rejects with a ParleyError carrying the
 * catalogue code.
 */
export class ConversationClient {
  private readonly client: ConversationServiceClient;

  constructor(
    address: string,
    private readonly deadlineMs: number,
  ) {
    this.client = createClient(ConversationServiceClient, address);
  }

  createGroup(request: CreateGroupRequest): Promise<CreateGroupResponse> {
    return callUnary(this.client, this.client.createGroup, request, this.deadlineMs);
  }

  addMembers(request: AddMembersRequest): Promise<AddMembersResponse> {
    return callUnary(this.client, this.client.addMembers, request, this.deadlineMs);
  }

  removeMember(request: RemoveMemberRequest): Promise<RemoveMemberResponse> {
    return callUnary(this.client, this.client.removeMember, request, this.deadlineMs);
  }

  leaveGroup(request: LeaveGroupRequest): Promise<LeaveGroupResponse> {
    return callUnary(this.client, this.client.leaveGroup, request, this.deadlineMs);
  }

  getConversation(request: GetConversationRequest): Promise<GetConversationResponse> {
    return callUnary(this.client, this.client.getConversation, request, this.deadlineMs);
  }

  listMembers(request: ListMembersRequest): Promise<ListMembersResponse> {
    return callUnary(this.client, this.client.listMembers, request, this.deadlineMs);
  }

  filterContacts(request: FilterContactsRequest): Promise<FilterContactsResponse> {
    return callUnary(this.client, this.client.filterContacts, request, this.deadlineMs);
  }

  listConversations(request: ListConversationsRequest): Promise<ListConversationsResponse> {
    return callUnary(this.client, this.client.listConversations, request, this.deadlineMs);
  }

  recordReceipts(request: RecordReceiptsRequest): Promise<RecordReceiptsResponse> {
    return callUnary(this.client, this.client.recordReceipts, request, this.deadlineMs);
  }

  close(): void {
    this.client.close();
  }
}
