import assert from "node:assert/strict";
import { directConversationId, ErrorCode } from "@parley/common";
import { MembershipChange_Action as Action } from "@parley/proto/parley/events/v1/events";
import { ConversationKind, Role } from "@parley/proto/parley/history/v1/conversations";
import { HistoryDeployment } from "./helpers/deployment.js";
import { ConversationsApi, failureOf, users } from "./helpers/conversations.js";
import { textEvents } from "./helpers/events.js";

describe("svc-history ListConversations", function () {
  let d: HistoryDeployment;
  let api: ConversationsApi;
  beforeEach(async () => {
    d = await HistoryDeployment.start();
    api = new ConversationsApi(d);
  });
  afterEach(async () => d?.dispose());

  it("should list by latest activity with preview, unread counts and pages", async function () {
    const [ann, ben, cat, bob] = users("u", 4) as [string, string, string, string];
    const quiet = (await api.createGroup({ creatorId: cat, memberIds: [ann], title: "quiet" }))
      .conversation!;
    const busy = (await api.createGroup({ creatorId: ann, memberIds: [ben], title: "busy" }))
      .conversation!;
    const direct = directConversationId(ann, bob);
    const now = Date.now();
    // Later activity than the groups' creation, the busy group last of all.
    const directTexts = textEvents(direct, bob, [ann, bob], 2).map((e, i) => ({
      ...e,
      sentAtMs: now + 5_000 + i,
    }));
    const busyTexts = [
      ...textEvents(busy.conversationId, ben, [ann, ben], 3),
      ...textEvents(busy.conversationId, ann, [ann, ben], 1),
    ].map((e, i) => ({
      ...e,
      clientMessageId: `b${i}`,
      sentAtMs: now + 10_000 + i,
      membershipVersion: 1,
    }));
    await d.publishAll(directTexts);
    const busySeqs = [];
    for (const e of busyTexts) busySeqs.push(await d.publish(e));
    await d.waitForStored(direct, 2);
    await d.waitForStored(busy.conversationId, 5);

    const all = await api.listConversations({ userId: ann });
    assert.equal(all.nextPageToken, "");
    assert.deepEqual(
      all.conversations.map((s) => [s.conversation?.conversationId, s.unreadCount]),
      [
        [busy.conversationId, 3],
        [direct, 2],
        [quiet.conversationId, 0],
      ],
    );
    const [busySummary, directSummary, quietSummary] = all.conversations;
    assert.equal(busySummary!.lastEvent?.seq, busySeqs[3]);
    assert.equal(busySummary!.lastEvent?.text?.body, "message 0");
    assert.equal(busySummary!.lastActivityMs, now + 10_003);
    assert.equal(busySummary!.conversation?.role, Role.ROLE_ADMIN);
    assert.equal(directSummary!.conversation?.kind, ConversationKind.CONVERSATION_KIND_DIRECT);
    assert.equal(directSummary!.conversation?.peerId, bob);
    assert.equal(directSummary!.conversation?.role, Role.ROLE_MEMBER);
    assert.equal(quietSummary!.lastEvent?.membership?.action, Action.ACTION_CREATED);
    assert.equal(quietSummary!.conversation?.title, "quiet");

    // Reading moves the unread count; it never counts the reader's own texts.
    await api.recordReceipts([
      {
        userId: ann,
        conversationId: busy.conversationId,
        deliveredSeq: busySeqs[1],
        readSeq: busySeqs[1],
      },
    ]);
    const afterRead = await api.listConversations({ userId: ann, limit: 1 });
    assert.equal(afterRead.conversations[0]!.unreadCount, 1);
    assert.equal(afterRead.conversations[0]!.readSeq, busySeqs[1]);

    // One per page, in the same order, ending with an empty token.
    const paged: string[] = [];
    let token = "";
    do {
      const page = await api.listConversations({ userId: ann, limit: 1, pageToken: token });
      paged.push(...page.conversations.map((s) => s.conversation!.conversationId));
      token = page.nextPageToken;
    } while (token !== "");
    assert.deepEqual(paged, [busy.conversationId, direct, quiet.conversationId]);

    const bad = await failureOf(api.listConversations({ userId: ann, pageToken: "%%%" }));
    assert.equal(bad.code, ErrorCode.InvalidArgument);
    assert.match(bad.message, /page_token/);
  });

  it("should drop a group from the list of a member who left it", async function () {
    const [ann, ben] = users("u", 2) as [string, string];
    const { conversation } = await api.createGroup({ creatorId: ann, memberIds: [ben] });
    assert.equal((await api.listConversations({ userId: ben })).conversations.length, 1);
    await api.leaveGroup({ userId: ben, conversationId: conversation!.conversationId });
    assert.deepEqual((await api.listConversations({ userId: ben })).conversations, []);
  });
});
