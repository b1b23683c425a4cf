import assert from "node:assert/strict";
import { directConversationId } from "@parley/common";
import { HistoryDeployment } from "./helpers/deployment.js";
import { ConversationsApi, failureOf, users } from "./helpers/conversations.js";
import { textEvents } from "./helpers/events.js";

describe("svc-history FilterContacts", function () {
  let d: HistoryDeployment;
  let api: ConversationsApi;
  before(async () => {
    d = await HistoryDeployment.start();
    api = new ConversationsApi(d);
  });
  after(async () => d?.dispose());

  it("should keep the candidates who share a 1:1 or a group with the user, now", async () => {
    const [ann, ben, cat, dan, eve] = users("c", 5) as [string, string, string, string, string];
    const { conversation } = await api.createGroup({ creatorId: ann, memberIds: [ben] });
    const direct = directConversationId(ann, dan);
    await d.publish(textEvents(direct, dan, [ann, dan], 1)[0]!);
    await d.waitForStored(direct, 1);

    const asked = [eve, dan, ben, cat, ann, ben];
    assert.deepEqual((await api.filterContacts(ann, asked)).contactIds, [dan, ben]);
    assert.deepEqual((await api.filterContacts(ben, [ann, dan])).contactIds, [ann]);

    await api.removeMember({
      actorId: ann,
      conversationId: conversation!.conversationId,
      userId: ben,
    });
    assert.deepEqual((await api.filterContacts(ann, asked)).contactIds, [dan]);
    assert.deepEqual((await api.filterContacts(ben, [ann])).contactIds, []);
  });

  it("should refuse a malformed id or too many candidates", async () => {
    const tooMany = Array.from({ length: 501 }, (_, i) => `u${i}`);
    assert.equal((await failureOf(api.filterContacts("ann", tooMany))).code, "invalid_argument");
    assert.equal((await failureOf(api.filterContacts("ann", ["a.b"]))).code, "invalid_argument");
    assert.equal((await failureOf(api.filterContacts("", ["b"]))).code, "invalid_argument");
  });
});
