import assert from "node:assert/strict";
import { ErrorCode } from "@parley/common";
import { HistoryDeployment } from "./helpers/deployment.js";
import { ConversationsApi, logEventsOf, users } from "./helpers/conversations.js";
import { directPair, textEvents } from "./helpers/events.js";

describe("svc-history RecordReceipts", function () {
  let d: HistoryDeployment;
  let api: ConversationsApi;
  beforeEach(async () => {
    d = await HistoryDeployment.start();
    api = new ConversationsApi(d);
  });
  afterEach(async () => d?.dispose());

  /** A group of three with five stored texts from its admin; their seqs. */
  async function groupWithTexts() {
    const [ann, ben, cat] = users("u", 3) as [string, string, string];
    const { conversation } = await api.createGroup({ creatorId: ann, memberIds: [ben, cat] });
    const conversationId = conversation!.conversationId;
    const texts = textEvents(conversationId, ann, [ann, ben, cat], 5).map((e) => ({
      ...e,
      membershipVersion: 1,
    }));
    const seqs: number[] = [];
    for (const e of texts) seqs.push(await d.publish(e));
    await d.waitForStored(conversationId, 6);
    return { ann, ben, cat, conversationId, seqs };
  }

  /** The receipts in the conversation's log, as [user, delivered, read]. */
  async function loggedReceipts(conversationId: string) {
    const log = await logEventsOf(d, conversationId);
    return log
      .filter((e) => e.receipt)
      .map((e) => [e.receipt!.userId, e.receipt!.deliveredSeq, e.receipt!.readSeq]);
  }

  it("should move watermarks forward only, clamp read to delivered, and log each move", async function () {
    const { ann, ben, cat, conversationId, seqs } = await groupWithTexts();
    const [s1, s2, s3, , s5] = seqs as [number, number, number, number, number];
    const up = (deliveredSeq: number, readSeq: number) => ({
      userId: ben,
      conversationId,
      deliveredSeq,
      readSeq,
    });
    const results = await api.recordReceipts([
      up(s3, s2),
      up(s1, s1), // backwards: changes nothing
      up(0, s5), // read beyond delivered: clamped to it
    ]);
    assert.deepEqual(
      results.results.map((r) => [r.errorCode, r.deliveredSeq, r.readSeq]),
      [
        ["", s3, s2],
        ["", s3, s2],
        ["", s3, s3],
      ],
    );
    // Delivered and read together in one update: read follows delivered.
    const both = await api.recordReceipts([up(s5, s5)]);
    assert.deepEqual([both.results[0]!.deliveredSeq, both.results[0]!.readSeq], [s5, s5]);

    // One receipt per call whose watermarks moved, with the final values.
    assert.deepEqual(await loggedReceipts(conversationId), [
      [ben, s3, s3],
      [ben, s5, s5],
    ]);
    const log = await logEventsOf(d, conversationId);
    const receipt = log.find((e) => e.receipt)!;
    assert.equal(receipt.senderId, ben);
    assert.equal(receipt.senderDeviceId, "server");
    // For the reader's other devices and the sender of what it covers; cat
    // sent nothing and is not told.
    assert.deepEqual([...receipt.memberIds].sort(), [ann, ben].sort());
    assert.equal(receipt.membershipVersion, 1);
    void cat;

    const unchanged = await api.recordReceipts([up(s2, s1)]);
    assert.deepEqual([unchanged.results[0]!.deliveredSeq, unchanged.results[0]!.readSeq], [s5, s5]);
    assert.equal((await loggedReceipts(conversationId)).length, 2, "no move, no receipt");

    const members = await api.listMembers(ann, conversationId);
    const benRow = members.members.find((m) => m.userId === ben)!;
    assert.deepEqual([benRow.deliveredSeq, benRow.readSeq], [s5, s5]);
  });

  it("should refuse bad updates one by one and change nothing for them", async function () {
    const { ann, ben, conversationId, seqs } = await groupWithTexts();
    const last = seqs.at(-1)!;
    const results = await api.recordReceipts([
      { userId: ben, conversationId, deliveredSeq: last + 1_000 },
      { userId: "mallory", conversationId, deliveredSeq: 1 },
      { userId: ben, conversationId: "g_nosuchgroup", deliveredSeq: 1 },
      { userId: "bad id", conversationId, deliveredSeq: 1 },
      { userId: ben, conversationId: "nope", deliveredSeq: 1 },
      { userId: ann, conversationId, deliveredSeq: seqs[0], readSeq: seqs[0] },
    ]);
    assert.deepEqual(
      results.results.map((r) => r.errorCode),
      [
        ErrorCode.InvalidArgument,
        ErrorCode.PermissionDenied,
        ErrorCode.PermissionDenied,
        ErrorCode.InvalidArgument,
        ErrorCode.InvalidArgument,
        "",
      ],
    );
    assert.match(results.results[0]!.errorReason, /beyond the conversation's last event/);
    assert.equal(results.results[1]!.errorReason, results.results[2]!.errorReason);
    const members = await api.listMembers(ben, conversationId);
    const benRow = members.members.find((m) => m.userId === ben)!;
    assert.deepEqual([benRow.deliveredSeq, benRow.readSeq], [0, 0]);
    assert.deepEqual(await loggedReceipts(conversationId), [[ann, seqs[0], seqs[0]]]);
  });

  it("should accept a seq that is in the log but not stored yet, in a 1:1 conversation too", async function () {
    const { alice, bob, conversationId } = directPair();
    const [first, second] = textEvents(conversationId, alice, [alice, bob], 2);
    await d.publish(first!);
    await d.waitForStored(conversationId, 1);
    // A time Postgres cannot store: the entry stays in the log, never stored.
    const unstored = await d.publish({ ...second!, sentAtMs: -1e15 });

    const results = await api.recordReceipts([
      { userId: bob, conversationId, deliveredSeq: unstored },
    ]);
    assert.deepEqual(
      results.results.map((r) => [r.errorCode, r.deliveredSeq, r.readSeq]),
      [["", unstored, 0]],
    );
    // Delivered alone: for the peer, not for bob's own devices.
    const receipts = async () => (await logEventsOf(d, conversationId)).filter((e) => e.receipt);
    const [delivered] = await receipts();
    assert.deepEqual(delivered!.memberIds, [alice]);
    assert.equal(delivered!.membershipVersion, 0);
    // Read: bob's own devices clear their unread marks with it.
    await api.recordReceipts([{ userId: bob, conversationId, readSeq: unstored }]);
    const read = (await receipts()).at(-1)!;
    assert.deepEqual(
      [read.receipt!.readSeq, [...read.memberIds].sort()],
      [unstored, [alice, bob].sort()],
    );
  });

  it("should take a 1:1 receipt before history stored anything of the conversation", async () => {
    const { alice, bob, conversationId } = directPair();
    const [only] = textEvents(conversationId, alice, [alice, bob], 1);
    // Never stored (Postgres refuses the time), so no member row exists.
    const seq = await d.publish({ ...only!, sentAtMs: -1e15 });

    const results = await api.recordReceipts([
      { userId: bob, conversationId, deliveredSeq: seq },
      { userId: "stranger", conversationId, deliveredSeq: seq },
    ]);
    assert.deepEqual(
      results.results.map((r) => [r.errorCode, r.deliveredSeq]),
      [
        ["", seq],
        ["permission_denied", 0],
      ],
    );
  });

  it("should address a group receipt to the senders it covers, or to all while history lags", async () => {
    const { ann, ben, cat, conversationId, seqs } = await groupWithTexts();
    const [fromCat] = textEvents(conversationId, cat, [ann, ben, cat], 1);
    const catSeq = await d.publish({ ...fromCat!, membershipVersion: 1 });
    await d.waitForStored(conversationId, 7);
    const membersOf = async () => {
      const receipts = (await logEventsOf(d, conversationId)).filter((e) => e.receipt);
      return [...receipts.at(-1)!.memberIds].sort();
    };

    // Delivered up to ann's first message only: ann (ben's own devices
    // learn nothing from a delivered watermark).
    await api.recordReceipts([{ userId: ben, conversationId, deliveredSeq: seqs[0]! }]);
    assert.deepEqual(await membersOf(), [ann]);
    // The rest, cat's message included: cat learns it too.
    await api.recordReceipts([{ userId: ben, conversationId, deliveredSeq: catSeq }]);
    assert.deepEqual(await membersOf(), [ann, cat].sort());
    // Read: ben's own devices too.
    await api.recordReceipts([{ userId: ben, conversationId, readSeq: catSeq }]);
    assert.deepEqual(await membersOf(), [ann, ben, cat].sort());

    // A message history has not stored (here: cannot store): the senders of
    // the range are unknown, so cat's receipt goes to every other member.
    const [unstorable] = textEvents(conversationId, ann, [ann, ben, cat], 1);
    const lagging = await d.publish({ ...unstorable!, sentAtMs: -1e15, membershipVersion: 1 });
    await api.recordReceipts([{ userId: cat, conversationId, deliveredSeq: lagging }]);
    assert.deepEqual(await membersOf(), [ann, ben].sort());

    // Delivered over cat's own message only: a receipt for no one is not logged.
    const before = (await logEventsOf(d, conversationId)).filter((e) => e.receipt).length;
    const [ownText] = textEvents(conversationId, cat, [ann, ben, cat], 1);
    const own = await d.publish({ ...ownText!, membershipVersion: 1 });
    await d.waitForStored(conversationId, 8);
    const answer = await api.recordReceipts([{ userId: cat, conversationId, deliveredSeq: own }]);
    assert.equal(answer.results[0]!.deliveredSeq, own);
    const after = (await logEventsOf(d, conversationId)).filter((e) => e.receipt).length;
    assert.equal(after, before);
  });

  it("should apply a call for many members and conversations at once, each moved forward once", async () => {
    const [ann, ...others] = users("m", 120) as [string, ...string[]];
    const { conversation } = await api.createGroup({ creatorId: ann, memberIds: others });
    const conversationId = conversation!.conversationId;
    const members = [ann, ...others];
    const texts = textEvents(conversationId, ann, members, 3).map((e) => ({
      ...e,
      membershipVersion: 1,
    }));
    const seqs: number[] = [];
    for (const e of texts) seqs.push(await d.publish(e));
    const { alice, bob, conversationId: direct } = directPair();
    const [hello] = textEvents(direct, alice, [alice, bob], 1);
    const helloSeq = await d.publish(hello!);
    await d.waitForStored(conversationId, 4);
    await d.waitForStored(direct, 1);

    // Each member: delivered up to the second text, then read the first,
    // in two updates of one call; and the 1:1 reader alongside.
    const updates = others.flatMap((userId) => [
      { userId, conversationId, deliveredSeq: seqs[1]! },
      { userId, conversationId, readSeq: seqs[0]! },
    ]);
    updates.push({ userId: bob, conversationId: direct, deliveredSeq: helloSeq });
    const { results } = await api.recordReceipts(updates);
    assert.ok(results.every((r) => r.errorCode === ""));
    assert.deepEqual(
      [results[0], results[1]].map((r) => [r!.deliveredSeq, r!.readSeq]),
      [
        [seqs[1], 0],
        [seqs[1], seqs[0]],
      ],
    );
    const rows = (await api.listMembers(ann, conversationId)).members;
    for (const row of rows.filter((m) => m.userId !== ann)) {
      assert.deepEqual([row.userId, row.deliveredSeq, row.readSeq], [row.userId, seqs[1], seqs[0]]);
    }
    // One receipt per member that moved, with its final values.
    const receipts = await loggedReceipts(conversationId);
    assert.equal(receipts.length, others.length);
    assert.ok(receipts.every(([, delivered, read]) => delivered === seqs[1] && read === seqs[0]));
    assert.deepEqual(await loggedReceipts(direct), [[bob, helloSeq, 0]]);
  });

  it("should never move a watermark back when calls for one member race", async () => {
    const { ben, conversationId, seqs } = await groupWithTexts();
    const calls = seqs.flatMap((delivered) =>
      seqs.map((read) =>
        api.recordReceipts([
          { userId: ben, conversationId, deliveredSeq: delivered, readSeq: read },
        ]),
      ),
    );
    const answers = await Promise.all(calls);
    for (const { results } of answers) {
      const [r] = results;
      assert.equal(r!.errorCode, "");
      assert.ok(r!.readSeq <= r!.deliveredSeq, "read clamped to delivered");
    }
    const last = seqs.at(-1)!;
    const row = (await api.listMembers(ben, conversationId)).members.find((m) => m.userId === ben)!;
    assert.deepEqual([row.deliveredSeq, row.readSeq], [last, last]);
    // Receipts of racing calls may be logged in any order (clients keep the
    // highest, docs/protocol.md), but the highest logged is the stored one.
    const logged = (await loggedReceipts(conversationId)).map(
      ([, delivered]) => delivered as number,
    );
    assert.equal(Math.max(...logged), last);
  });
});
