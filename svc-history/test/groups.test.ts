import assert from "node:assert/strict";
import { ErrorCode, groupConversationId } from "@parley/common";
import { MembershipChange_Action as Action } from "@parley/proto/parley/events/v1/events";
import { ConversationKind, Role } from "@parley/proto/parley/history/v1/conversations";
import { HistoryDeployment } from "./helpers/deployment.js";
import {
  ConversationsApi,
  failureOf,
  logEvent,
  logEventsOf,
  users,
} from "./helpers/conversations.js";

describe("svc-history groups", function () {
  let d: HistoryDeployment;
  let api: ConversationsApi;
  beforeEach(async () => {
    d = await HistoryDeployment.start();
    api = new ConversationsApi(d);
  });
  afterEach(async () => d?.dispose());

  it("should create a group once per request id and answer a retry with it", async function () {
    const [ann, ben, cat] = users("u", 3) as [string, string, string];
    const request = {
      creatorId: ann,
      clientRequestId: "req-1",
      title: "Hikers ⛰",
      memberIds: [ben, cat, ann],
    };
    const first = await api.createGroup(request);
    const retry = await api.createGroup({ ...request, title: "ignored on retry" });

    const conversationId = groupConversationId(ann, "req-1");
    assert.equal(first.created, true);
    assert.equal(retry.created, false);
    assert.deepEqual(retry.conversation, first.conversation);
    assert.deepEqual(first.conversation, {
      conversationId,
      kind: ConversationKind.CONVERSATION_KIND_GROUP,
      title: "Hikers ⛰",
      createdBy: ann,
      createdAtMs: first.conversation!.createdAtMs,
      memberCount: 3,
      membershipVersion: 1,
      peerId: "",
      role: Role.ROLE_ADMIN,
    });
    const log = await logEventsOf(d, conversationId);
    assert.equal(log.length, 1, "a retry appends nothing");
    assert.equal(log[0]!.membership?.action, Action.ACTION_CREATED);
    assert.deepEqual(log[0]!.membership?.userIds, [ann, ben, cat]);
    assert.deepEqual(log[0]!.memberIds, [ann, ben, cat]);
    assert.equal(log[0]!.membershipVersion, 1);
    assert.equal(log[0]!.senderDeviceId, "server");

    const members = await api.listMembers(cat, conversationId);
    assert.equal(members.membershipVersion, 1);
    assert.deepEqual(
      members.members.map((m) => [m.userId, m.role, m.joinedSeq]),
      [
        [ann, Role.ROLE_ADMIN, log[0]!.logSeq],
        [ben, Role.ROLE_MEMBER, log[0]!.logSeq],
        [cat, Role.ROLE_MEMBER, log[0]!.logSeq],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
  });

  it("should refuse bad titles, ids and repeated members with invalid_argument", async function () {
    const [ann, ben] = users("u", 2) as [string, string];
    const cases: [Parameters<ConversationsApi["createGroup"]>[0], RegExp][] = [
      [{ creatorId: ann, title: "" }, /title/],
      [{ creatorId: ann, title: "x".repeat(101) }, /title/],
      [{ creatorId: ann, title: "two\nlines" }, /control/],
      [{ creatorId: ann, title: "   " }, /blank/],
      [{ creatorId: "not valid!" }, /creator_id/],
      [{ creatorId: ann, clientRequestId: "a.b" }, /client_request_id/],
      [{ creatorId: ann, memberIds: [ben, "bad id"] }, /member_ids/],
      [{ creatorId: ann, memberIds: [ben, ben] }, /more than once/],
    ];
    for (const [request, reason] of cases) {
      const err = await failureOf(api.createGroup(request));
      assert.equal(err.code, ErrorCode.InvalidArgument, JSON.stringify(request));
      assert.match(err.message, reason);
    }
    // 100 characters that are not all one UTF-16 unit each are fine.
    await api.createGroup({ creatorId: ann, title: "😀".repeat(100) });
  });

  it("should let only admins add and remove, skip present users, and log each change in order", async function () {
    const [ann, ben, cat, dan] = users("u", 4) as [string, string, string, string];
    const { conversation } = await api.createGroup({ creatorId: ann, memberIds: [ben] });
    const conversationId = conversation!.conversationId;

    const denied = await failureOf(
      api.addMembers({ actorId: ben, conversationId, userIds: [cat] }),
    );
    assert.equal(denied.code, ErrorCode.PermissionDenied);
    const unknown = await failureOf(
      api.addMembers({ actorId: ann, conversationId: "g_nosuchgroup", userIds: [cat] }),
    );
    assert.equal(unknown.code, ErrorCode.PermissionDenied);
    assert.equal(unknown.message, denied.message, "an unknown group answers like a refusal");

    const added = await api.addMembers({ actorId: ann, conversationId, userIds: [ben, cat, dan] });
    assert.deepEqual(
      added.events.map((e) => e.membership?.userIds),
      [[cat, dan]],
    );
    assert.equal(added.conversation?.memberCount, 4);
    const again = await api.addMembers({ actorId: ann, conversationId, userIds: [cat] });
    assert.deepEqual(again.events, [], "nobody new, nothing logged");

    const notAdmin = await failureOf(
      api.removeMember({ actorId: cat, conversationId, userId: dan }),
    );
    assert.equal(notAdmin.code, ErrorCode.PermissionDenied);
    const self = await failureOf(api.removeMember({ actorId: ann, conversationId, userId: ann }));
    assert.equal(self.code, ErrorCode.InvalidArgument);
    const stranger = await failureOf(
      api.removeMember({ actorId: ann, conversationId, userId: "stranger" }),
    );
    assert.equal(stranger.code, ErrorCode.NotFound);

    const removed = await api.removeMember({ actorId: ann, conversationId, userId: cat });
    assert.equal(removed.conversation?.membershipVersion, 3);

    const log = await logEventsOf(d, conversationId);
    assert.deepEqual(
      log.map((e) => [e.membership?.action, e.membership?.actorId, e.membership?.userIds]),
      [
        [Action.ACTION_CREATED, ann, [ann, ben]],
        [Action.ACTION_ADDED, ann, [cat, dan]],
        [Action.ACTION_REMOVED, ann, [cat]],
      ],
    );
    assert.deepEqual(
      log.map((e) => [e.membershipVersion, e.memberIds]),
      [
        [1, [ann, ben]],
        [2, [ann, ben, cat, dan]],
        [3, [ann, ben, dan]],
      ],
    );
    assert.deepEqual(
      [...added.events, ...removed.events].map((e) => e.seq),
      log.slice(1).map((e) => e.logSeq),
      "the answers carry the events' seqs",
    );
    // The removed user can read nothing more of the group.
    const gone = await failureOf(api.getConversation(cat, conversationId));
    assert.equal(gone.code, ErrorCode.PermissionDenied);
  });

  it("should promote the earliest member when the last admin leaves, in a second event", async function () {
    const [ann, ben, cat] = users("u", 3) as [string, string, string];
    const { conversation } = await api.createGroup({ creatorId: ann, memberIds: [cat] });
    const conversationId = conversation!.conversationId;
    await api.addMembers({ actorId: ann, conversationId, userIds: [ben] });

    const left = await api.leaveGroup({ userId: ann, conversationId });
    assert.deepEqual(
      left.events.map((e) => [e.membership?.action, e.membership?.actorId, e.membership?.userIds]),
      [
        [Action.ACTION_LEFT, ann, [ann]],
        [Action.ACTION_PROMOTED, ann, [cat]],
      ],
    );
    assert.equal(left.conversation?.role, Role.ROLE_UNSPECIFIED, "the leaver is no member");
    assert.equal(left.conversation?.membershipVersion, 4);
    const [leftEvent, promotedEvent] = await Promise.all(
      left.events.map((e) => logEvent(d, e.seq)),
    );
    assert.deepEqual(leftEvent!.memberIds, [cat, ben]);
    assert.equal(leftEvent!.membershipVersion, 3);
    assert.equal(promotedEvent!.membershipVersion, 4);
    assert.ok(left.events[0]!.seq < left.events[1]!.seq);

    const members = await api.listMembers(ben, conversationId);
    assert.deepEqual(
      members.members.map((m) => [m.userId, m.role]),
      [
        [ben, Role.ROLE_MEMBER],
        [cat, Role.ROLE_ADMIN],
      ],
    );
    // A member (not the last admin) leaving promotes nobody.
    const benLeft = await api.leaveGroup({ userId: ben, conversationId });
    assert.deepEqual(
      benLeft.events.map((e) => e.membership?.action),
      [Action.ACTION_LEFT],
    );
    const again = await failureOf(api.leaveGroup({ userId: ben, conversationId }));
    assert.equal(again.code, ErrorCode.PermissionDenied);
  });

  it("should log concurrent changes of one group in commit order, one version each", async function () {
    const [ann, ...others] = users("u", 11) as [string, ...string[]];
    const { conversation } = await api.createGroup({ creatorId: ann });
    const conversationId = conversation!.conversationId;
    await Promise.all(
      others.map((user) => api.addMembers({ actorId: ann, conversationId, userIds: [user] })),
    );
    const log = (await logEventsOf(d, conversationId)).slice(1);
    assert.deepEqual(
      log.map((e) => e.membershipVersion),
      Array.from({ length: 10 }, (_, i) => i + 2),
    );
    // Each event's members are the previous event's plus the one it adds.
    let members = [ann];
    for (const event of log) {
      members = [...members, ...event.membership!.userIds];
      assert.deepEqual(event.memberIds, members);
    }
    assert.equal((await api.getConversation(ann, conversationId)).conversation?.memberCount, 11);
  });

  it("should announce every membership change on the membership subject", async function () {
    const [ann, ben] = users("u", 2) as [string, string];
    const announced: string[] = [];
    const sub = d.nc.subscribe(d.topology.membershipChangedFilter(), {
      callback: (_err, msg) => {
        announced.push(msg.subject);
      },
    });
    await d.nc.flush();
    const { conversation } = await api.createGroup({ creatorId: ann });
    const conversationId = conversation!.conversationId;
    await api.addMembers({ actorId: ann, conversationId, userIds: [ben] });
    await api.addMembers({ actorId: ann, conversationId, userIds: [ben] }); // no change
    await api.removeMember({ actorId: ann, conversationId, userId: ben });
    // The service flushes before answering; one round trip here delivers.
    await d.nc.flush();
    sub.unsubscribe();
    const subject = d.topology.membershipChangedSubject(conversationId);
    assert.deepEqual(announced, [subject, subject, subject]);
  });

  it("should take a group of 1,024 and refuse the 1,025th member", async function () {
    const [ann, ...others] = users("m", 1_025) as [string, ...string[]];
    const tooBig = await failureOf(api.createGroup({ creatorId: ann, memberIds: others }));
    assert.equal(tooBig.code, ErrorCode.InvalidArgument);
    assert.match(tooBig.message, /at most 1024 members.*1025/);

    const { conversation } = await api.createGroup({
      creatorId: ann,
      memberIds: others.slice(0, 1_023),
    });
    assert.equal(conversation?.memberCount, 1_024);
    const conversationId = conversation!.conversationId;
    const full = await failureOf(
      api.addMembers({ actorId: ann, conversationId, userIds: [others[1_023]!] }),
    );
    assert.equal(full.code, ErrorCode.InvalidArgument);
    assert.match(full.message, /at most 1024 members.*1025/);
    const members = await api.listMembers(others[0]!, conversationId);
    assert.equal(members.members.length, 1_024);
    assert.equal((await logEventsOf(d, conversationId)).length, 1, "the refusal logged nothing");
  });
});
