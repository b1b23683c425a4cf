import assert from "node:assert/strict";
import { jetstreamManager } from "@nats-io/jetstream";
import { callUnary, ParleyError, type UnaryMethod } from "@parley/common";
import { ConversationEvent } from "@parley/proto/parley/events/v1/events";
import type {
  AddMembersRequest,
  ConversationServiceClient,
  CreateGroupRequest,
  LeaveGroupRequest,
  ListConversationsRequest,
  ReceiptUpdate,
  RemoveMemberRequest,
} from "@parley/proto/parley/history/v1/conversations";
import { randomUUID } from "node:crypto";
import type { HistoryDeployment } from "./deployment.js";

/** ConversationService calls with short, test-friendly signatures. */
export class ConversationsApi {
  constructor(private readonly d: HistoryDeployment) {}

  private call<Req, Res>(pick: (c: ConversationServiceClient) => UnaryMethod<Req, Res>, req: Req) {
    const client = this.d.conversations;
    return callUnary(client, pick(client), req, 15_000);
  }

  createGroup(req: Partial<CreateGroupRequest> & { creatorId: string }) {
    const full = { clientRequestId: randomUUID(), title: "team", memberIds: [], ...req };
    return this.call((c) => c.createGroup, full);
  }

  addMembers(req: AddMembersRequest) {
    return this.call((c) => c.addMembers, req);
  }

  removeMember(req: RemoveMemberRequest) {
    return this.call((c) => c.removeMember, req);
  }

  leaveGroup(req: LeaveGroupRequest) {
    return this.call((c) => c.leaveGroup, req);
  }

  getConversation(readerId: string, conversationId: string) {
    return this.call((c) => c.getConversation, { readerId, conversationId });
  }

  filterContacts(userId: string, candidateIds: string[]) {
    return this.call((c) => c.filterContacts, { userId, candidateIds });
  }

  listMembers(readerId: string, conversationId: string) {
    return this.call((c) => c.listMembers, { readerId, conversationId });
  }

  listConversations(req: Partial<ListConversationsRequest> & { userId: string }) {
    return this.call((c) => c.listConversations, { limit: 0, pageToken: "", ...req });
  }

  recordReceipts(updates: Partial<ReceiptUpdate>[]) {
    const full = updates.map((u) => ({
      userId: "",
      conversationId: "",
      deliveredSeq: 0,
      readSeq: 0,
      ...u,
    }));
    return this.call((c) => c.recordReceipts, { updates: full });
  }
}

/** The log entry at `seq` of the MESSAGES stream, decoded. */
export async function logEvent(d: HistoryDeployment, seq: number): Promise<ConversationEvent> {
  const jsm = await jetstreamManager(d.nc);
  const stored = await jsm.streams.getMessage(d.topology.messagesStream, { seq });
  assert.ok(stored, `no log entry at ${seq}`);
  return ConversationEvent.decode(stored.data);
}

/** Every log entry on a conversation's subject, in log order. */
export async function logEventsOf(
  d: HistoryDeployment,
  conversationId: string,
): Promise<(ConversationEvent & { logSeq: number })[]> {
  const jsm = await jetstreamManager(d.nc);
  const subject = d.topology.messageSubject(conversationId);
  const info = await jsm.streams.info(d.topology.messagesStream);
  const events = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const stored = await jsm.streams.getMessage(d.topology.messagesStream, { seq });
    if (stored?.subject === subject) {
      events.push({ ...ConversationEvent.decode(stored.data), logSeq: stored.seq });
    }
  }
  return events;
}

/** The ParleyError a call failed with (callUnary maps the gRPC status back). */
export async function failureOf(call: Promise<unknown>): Promise<ParleyError> {
  try {
    await call;
  } catch (err) {
    assert.ok(err instanceof ParleyError, `expected a ParleyError, got ${String(err)}`);
    return err;
  }
  assert.fail("the call succeeded");
}

/** `count` fresh user ids sharing a random suffix. */
export function users(prefix: string, count: number): string[] {
  const suffix = randomUUID().slice(0, 8);
  return Array.from({ length: count }, (_, i) => `${prefix}${i}-${suffix}`);
}
