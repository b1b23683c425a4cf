import assert from "node:assert/strict";
import { ParleyError } from "@parley/common";
import { MembershipChange_Action } from "@parley/proto/parley/events/v1/events";
import {
  ConversationKind,
  Role,
  type Conversation,
} from "@parley/proto/parley/history/v1/conversations";
import { EdgeDeployment } from "./support/deployment.js";
import { FakeConversations } from "./support/fake-conversations.js";
import type { TestClient } from "./support/ws-client.js";

const group: Conversation = {
  conversationId: "g_team",
  kind: ConversationKind.CONVERSATION_KIND_GROUP,
  title: "team",
  createdBy: "owner",
  createdAtMs: 1_000,
  memberCount: 3,
  membershipVersion: 2,
  peerId: "",
  role: Role.ROLE_ADMIN,
};

const groupView = {
  conversation_id: "g_team",
  kind: "group",
  title: "team",
  created_by: "owner",
  created_at: 1_000,
  member_count: 3,
  membership_version: 2,
  role: "admin",
};

const added = {
  messageId: "ev-1",
  conversationId: "g_team",
  seq: 40,
  senderId: "owner",
  senderDeviceId: "server",
  clientMessageId: "ev-1",
  sentAtMs: 2_000,
  memberIds: [],
  membershipVersion: 2,
  membership: {
    action: MembershipChange_Action.ACTION_ADDED,
    actorId: "owner",
    userIds: ["new"],
    title: "",
  },
};

describe("svc-edge group and conversation frames (ConversationService from a table)", () => {
  let fake: FakeConversations;
  let dep: EdgeDeployment;
  let client: TestClient;

  before(async () => {
    fake = await FakeConversations.start();
    dep = await EdgeDeployment.start({ HISTORY_ADDRESS: fake.address });
  });
  after(async () => {
    await dep?.stop();
    await fake?.stop();
  });
  beforeEach(async () => {
    client = await dep.open("owner");
  });
  afterEach(async () => {
    await client?.close();
    for (const method of Object.keys(fake.answers)) {
      delete fake.answers[method as keyof typeof fake.answers];
    }
  });

  it("should create a group as the connection's user, the frame id making retries safe", async () => {
    fake.answers.createGroup = async () => ({ conversation: group, created: true });
    const answer = await client.request({
      type: "create_group",
      id: "cg1",
      title: "team",
      members: ["a", "b"],
    });
    assert.deepEqual(answer, {
      type: "group_created",
      id: "cg1",
      conversation: groupView,
      created: true,
    });
    assert.deepEqual(fake.requestsOf("createGroup").at(-1), {
      creatorId: "owner",
      clientRequestId: "cg1",
      title: "team",
      memberIds: ["a", "b"],
    });
  });

  it("should answer membership changes with the group and the events appended", async () => {
    const changed = async () => ({ conversation: group, events: [added] });
    fake.answers.addMembers = changed;
    fake.answers.removeMember = changed;
    fake.answers.leaveGroup = async () => ({ conversation: group, events: [] });
    const answer = await client.request({
      type: "add_members",
      id: "am",
      conversation_id: "g_team",
      user_ids: ["new"],
    });
    assert.deepEqual(answer, {
      type: "members_changed",
      id: "am",
      conversation: groupView,
      events: [
        {
          id: "ev-1",
          conversation_id: "g_team",
          seq: 40,
          from: "owner",
          from_device: "server",
          client_id: "ev-1",
          sent_at: 2_000,
          membership: { action: "added", actor: "owner", user_ids: ["new"] },
        },
      ],
    });
    const removed = await client.request({
      type: "remove_member",
      id: "rm",
      conversation_id: "g_team",
      user_id: "new",
    });
    assert.equal(removed.type, "members_changed");
    const left = await client.request({ type: "leave_group", id: "lg", conversation_id: "g_team" });
    assert.deepEqual(left.events, []);
    assert.deepEqual(fake.requestsOf("addMembers").at(-1), {
      actorId: "owner",
      conversationId: "g_team",
      userIds: ["new"],
    });
    assert.deepEqual(fake.requestsOf("removeMember").at(-1), {
      actorId: "owner",
      conversationId: "g_team",
      userId: "new",
    });
    assert.deepEqual(fake.requestsOf("leaveGroup").at(-1), {
      userId: "owner",
      conversationId: "g_team",
    });
  });

  it("should pass svc-history's refusal on as an error frame with its code and reason", async () => {
    fake.answers.addMembers = async () => {
      throw ParleyError.denied("only admins may add members");
    };
    const answer = await client.request({
      type: "add_members",
      id: "nope",
      conversation_id: "g_team",
      user_ids: ["x"],
    });
    assert.deepEqual(answer, {
      type: "error",
      id: "nope",
      code: "permission_denied",
      reason: "only admins may add members",
    });
  });

  it("should render a 1:1 conversation with its peer and no group fields", async () => {
    fake.answers.getConversation = async () => ({
      conversation: {
        conversationId: "d_pair",
        kind: ConversationKind.CONVERSATION_KIND_DIRECT,
        title: "",
        createdBy: "",
        createdAtMs: 5,
        memberCount: 2,
        membershipVersion: 0,
        peerId: "peer",
        role: Role.ROLE_MEMBER,
      },
    });
    const answer = await client.request({
      type: "get_conversation",
      id: "gc",
      conversation_id: "d_pair",
    });
    assert.deepEqual(answer, {
      type: "conversation",
      id: "gc",
      conversation: {
        conversation_id: "d_pair",
        kind: "direct",
        created_at: 5,
        member_count: 2,
        membership_version: 0,
        peer_id: "peer",
        role: "member",
      },
    });
    assert.deepEqual(fake.requestsOf("getConversation").at(-1), {
      readerId: "owner",
      conversationId: "d_pair",
    });
  });

  it("should list members with roles and watermarks", async () => {
    fake.answers.listMembers = async () => ({
      membershipVersion: 2,
      members: [
        { userId: "a", role: Role.ROLE_MEMBER, joinedSeq: 3, deliveredSeq: 9, readSeq: 7 },
        { userId: "owner", role: Role.ROLE_ADMIN, joinedSeq: 1, deliveredSeq: 9, readSeq: 9 },
      ],
    });
    const answer = await client.request({
      type: "list_members",
      id: "lm",
      conversation_id: "g_team",
    });
    assert.deepEqual(answer, {
      type: "members",
      id: "lm",
      conversation_id: "g_team",
      membership_version: 2,
      members: [
        { user_id: "a", role: "member", joined_seq: 3, delivered_seq: 9, read_seq: 7 },
        { user_id: "owner", role: "admin", joined_seq: 1, delivered_seq: 9, read_seq: 9 },
      ],
    });
  });

  it("should list conversations page by page, with the last event as a message", async () => {
    fake.answers.listConversations = async (req) => ({
      conversations: [
        {
          conversation: group,
          lastEvent: added,
          unreadCount: 4,
          lastActivityMs: 2_000,
          deliveredSeq: 40,
          readSeq: 30,
        },
      ],
      nextPageToken: req.pageToken === "" ? "next" : "",
    });
    const first = await client.request({ type: "list_conversations", id: "l1", limit: 1 });
    assert.deepEqual(first, {
      type: "conversations",
      id: "l1",
      conversations: [
        {
          conversation: groupView,
          last_message: {
            id: "ev-1",
            conversation_id: "g_team",
            seq: 40,
            from: "owner",
            from_device: "server",
            client_id: "ev-1",
            sent_at: 2_000,
            membership: { action: "added", actor: "owner", user_ids: ["new"] },
          },
          unread_count: 4,
          last_activity: 2_000,
          delivered_seq: 40,
          read_seq: 30,
        },
      ],
      next_page_token: "next",
    });
    const last = await client.request({ type: "list_conversations", id: "l2", page_token: "next" });
    assert.equal(last.next_page_token, undefined, "absent at the end");
    assert.deepEqual(fake.requestsOf("listConversations"), [
      { userId: "owner", limit: 1, pageToken: "" },
      { userId: "owner", limit: 0, pageToken: "next" },
    ]);
  });
});
