import assert from "node:assert/strict";
import type { GetHistoryRequest } from "@parley/proto/parley/history/v1/history";
import { HistoryDeployment } from "./helpers/deployment.js";
import { directPair, textEvents } from "./helpers/events.js";

describe("svc-history GetHistory", function () {
  let d: HistoryDeployment;
  afterEach(async () => d?.dispose());

  it("should store messages and return them in log order with their seq", async function () {
    d = await HistoryDeployment.start();
    const { alice, bob, conversationId } = directPair();
    const events = textEvents(conversationId, alice, [alice, bob], 5);
    const seqs = await d.publishAll(events);
    await d.waitForStored(conversationId, 5);

    const page = await d.history({ readerId: bob, conversationId });
    assert.deepEqual(
      page.messages.map((m) => m.seq),
      seqs,
    );
    assert.deepEqual(
      page.messages.map((m) => m.text?.body),
      events.map((e) => e.text?.body),
    );
    const first = page.messages[0]!;
    assert.equal(first.messageId, events[0]!.messageId);
    assert.equal(first.senderId, alice);
    assert.equal(first.senderDeviceId, "phone");
    assert.equal(first.clientMessageId, "c0");
    assert.equal(first.sentAtMs, events[0]!.sentAtMs);
    assert.equal(page.hasMore, false);
  });

  it("should keep a message's media exactly as it was sent, caption or none", async () => {
    d = await HistoryDeployment.start();
    const { alice, bob, conversationId } = directPair();
    const media = {
      mediaId: "3f2a9c1e-8b7d-4c6a-9e5f-0a1b2c3d4e5f",
      contentType: "image/jpeg",
      sizeBytes: 183_204,
      sha256: "ab".repeat(32),
      fileName: "beach.jpg",
      width: 1600,
      height: 1200,
      thumbnailJpeg: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]),
      thumbnailWidth: 128,
      thumbnailHeight: 96,
    };
    const [photo] = textEvents(conversationId, alice, [alice, bob], 1);
    photo!.text = { body: "", media };
    await d.publishAll([photo!]);
    await d.waitForStored(conversationId, 1);

    const [stored] = (await d.history({ readerId: bob, conversationId })).messages;
    assert.equal(stored!.text?.body, "");
    assert.deepEqual(stored!.text?.media, media);
  });

  it("should page backwards and forwards through 120 messages with has_more", async function () {
    d = await HistoryDeployment.start();
    const { alice, bob, conversationId } = directPair();
    const seqs = await d.publishAll(textEvents(conversationId, alice, [alice, bob], 120));
    await d.waitForStored(conversationId, 120);
    const read = (req: Partial<GetHistoryRequest>) =>
      d.history({ readerId: alice, conversationId, limit: 50, ...req });

    const newest = await read({});
    const older = await read({ beforeSeq: newest.messages[0]!.seq });
    const oldest = await read({ beforeSeq: older.messages[0]!.seq });
    assert.deepEqual(
      newest.messages.map((m) => m.seq),
      seqs.slice(70),
    );
    assert.deepEqual(
      older.messages.map((m) => m.seq),
      seqs.slice(20, 70),
    );
    assert.deepEqual(
      oldest.messages.map((m) => m.seq),
      seqs.slice(0, 20),
    );
    assert.deepEqual([newest.hasMore, older.hasMore, oldest.hasMore], [true, true, false]);

    const first = await read({ fromOldest: true });
    const second = await read({ afterSeq: first.messages.at(-1)!.seq });
    const third = await read({ afterSeq: second.messages.at(-1)!.seq });
    assert.deepEqual(
      first.messages.map((m) => m.seq),
      seqs.slice(0, 50),
    );
    assert.deepEqual(
      second.messages.map((m) => m.seq),
      seqs.slice(50, 100),
    );
    assert.deepEqual(
      third.messages.map((m) => m.seq),
      seqs.slice(100),
    );
    assert.deepEqual([first.hasMore, second.hasMore, third.hasMore], [true, true, false]);
  });

  it("should apply the configured default page size and cap", async function () {
    d = await HistoryDeployment.start({ HISTORY_PAGE_DEFAULT: "7", HISTORY_PAGE_MAX: "30" });
    const { alice, bob, conversationId } = directPair();
    const seqs = await d.publishAll(textEvents(conversationId, alice, [alice, bob], 40));
    await d.waitForStored(conversationId, 40);

    const byDefault = await d.history({ readerId: alice, conversationId });
    const capped = await d.history({ readerId: alice, conversationId, limit: 1_000 });
    assert.deepEqual(
      byDefault.messages.map((m) => m.seq),
      seqs.slice(33),
    );
    assert.deepEqual(
      capped.messages.map((m) => m.seq),
      seqs.slice(10),
    );
    assert.equal(capped.hasMore, true);
  });

  it("should log that Citus is absent and distribution was skipped", async function () {
    d = await HistoryDeployment.start();
    const line = d.service.logs.find((l) => l.msg === "citus absent, tables not distributed");
    assert.ok(line, "no line about Citus in the service's log");
    assert.equal(line.citus, false);
  });

  it("should stop in order on SIGTERM with exit code 0", async function () {
    d = await HistoryDeployment.start();
    const { alice, bob, conversationId } = directPair();
    await d.publishAll(textEvents(conversationId, alice, [alice, bob], 3));
    await d.waitForStored(conversationId, 3);

    assert.equal(await d.service.stop(), 0);
    const messages = d.service.logs.map((l) => l.msg);
    assert.ok(messages.includes("stopped"), "no 'stopped' line");
    assert.ok(!d.service.logs.some((l) => l.msg === "shutdown step failed"));
  });
});
