import assert from "node:assert/strict";
import { ErrorCode } from "@parley/common";
import {
  MembershipChange_Action as Action,
  type ConversationEvent,
} from "@parley/proto/parley/events/v1/events";
import { HistoryDeployment } from "./helpers/deployment.js";
import { ConversationsApi, failureOf, users } from "./helpers/conversations.js";
import { textEvents } from "./helpers/events.js";

/** Text events stamped as svc-delivery stamps a group send. */
function groupTexts(
  conversationId: string,
  sender: string,
  memberIds: string[],
  version: number,
  count: number,
): ConversationEvent[] {
  return textEvents(conversationId, sender, memberIds, count).map((e) => ({
    ...e,
    membershipVersion: version,
  }));
}

describe("svc-history group history", function () {
  let d: HistoryDeployment;
  let api: ConversationsApi;
  beforeEach(async () => {
    d = await HistoryDeployment.start();
    api = new ConversationsApi(d);
  });
  afterEach(async () => d?.dispose());

  it("should store membership events and show a member history from joining on", async function () {
    const [ann, ben, cat] = users("u", 3) as [string, string, string];
    const { conversation } = await api.createGroup({ creatorId: ann, memberIds: [ben] });
    const conversationId = conversation!.conversationId;
    const before = await d.publishAll(groupTexts(conversationId, ann, [ann, ben], 1, 3));
    const { events } = await api.addMembers({ actorId: ann, conversationId, userIds: [cat] });
    const joinedSeq = events[0]!.seq;
    const after = await d.publishAll(groupTexts(conversationId, ben, [ann, ben, cat], 2, 2));
    await d.waitForStored(conversationId, 7);

    const forCat = await d.history({ readerId: cat, conversationId });
    assert.deepEqual(
      forCat.messages.map((m) => m.seq),
      [joinedSeq, ...after],
    );
    assert.equal(forCat.hasMore, false);
    const added = forCat.messages[0]!;
    assert.deepEqual(added.membership, {
      action: Action.ACTION_ADDED,
      actorId: ann,
      userIds: [cat],
      title: "",
    });
    assert.equal(added.text, undefined);
    assert.equal(added.senderId, ann);
    // Walking back from the join ends there, with nothing more to see.
    const older = await d.history({ readerId: cat, conversationId, beforeSeq: joinedSeq });
    assert.deepEqual(older, { messages: [], hasMore: false });

    const forAnn = await d.history({ readerId: ann, conversationId, fromOldest: true });
    assert.equal(forAnn.messages.length, 7);
    assert.equal(forAnn.messages[0]!.membership?.action, Action.ACTION_CREATED);
    assert.equal(forAnn.messages[0]!.membership?.title, "team");
    assert.deepEqual(
      forAnn.messages.slice(1, 4).map((m) => m.seq),
      before,
    );
  });

  it("should not let a stale stamp bring back a removed member, nor store receipts", async function () {
    const [ann, ben] = users("u", 2) as [string, string];
    const { conversation } = await api.createGroup({ creatorId: ann, memberIds: [ben] });
    const conversationId = conversation!.conversationId;
    await api.removeMember({ actorId: ann, conversationId, userId: ben });
    // A send accepted before the removal, logged after it, names ben still.
    const [stale] = groupTexts(conversationId, ann, [ann, ben], 1, 1);
    await d.publish(stale!);
    await d.publish({
      ...stale!,
      messageId: "receipt-1",
      text: undefined,
      receipt: { userId: ann, deliveredSeq: 1, readSeq: 1 },
    });
    const [last] = groupTexts(conversationId, ann, [ann], 2, 1);
    const lastSeq = await d.publish({ ...last!, clientMessageId: "last" });
    await d.waitForStored(conversationId, 4);

    assert.equal((await d.storedSeqs(conversationId)).length, 4, "the receipt is not stored");
    const denied = await failureOf(d.history({ readerId: ben, conversationId }));
    assert.equal(denied.code, ErrorCode.PermissionDenied);
    const { rows } = await d.db.query<{ user_id: string; last_seq: string }>(
      `SELECT user_id, last_seq FROM "${d.ns}".user_conversations WHERE conversation_id = $1`,
      [conversationId],
    );
    assert.deepEqual(rows, [{ user_id: ann, last_seq: String(lastSeq) }]);
  });
});
