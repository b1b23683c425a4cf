import assert from "node:assert/strict";
import { jetstreamManager } from "@nats-io/jetstream";
import pg from "pg";
import { ConversationEvent } from "@parley/proto/parley/events/v1/events";
import { TEST_DATABASE_URL } from "../../testkit/env.js";
import { eventually, HistoryDeployment } from "./helpers/deployment.js";
import { directPair, textEvents } from "./helpers/events.js";

describe("svc-history log consumer", function () {
  let d: HistoryDeployment;
  afterEach(async () => d?.dispose());

  it("should store every entry exactly once after a crash with a batch in flight", async function () {
    // The crash leaves a delivered, uncommitted batch whose redelivery waits
    // for the consumer's ack_wait (30 s).
    this.timeout(120_000);
    d = await HistoryDeployment.start({ HISTORY_BATCH_MAX: "100" });
    const { alice, bob, conversationId } = directPair();
    const events = textEvents(conversationId, alice, [alice, bob], 1_500);
    const seqs = await d.publishAll(events.slice(0, 500));
    await d.waitForStored(conversationId, 500);

    // Hold the table so the next batch is delivered but cannot commit.
    const blocker = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await blocker.connect();
    await blocker.query("BEGIN");
    await blocker.query(`LOCK TABLE "${d.ns}".messages IN EXCLUSIVE MODE`);
    seqs.push(...(await d.publishAll(events.slice(500, 1_000))));
    await eventually(() => writerIsWaiting(blocker, d.ns), 10_000, "a blocked batch write");
    await d.service.kill();
    await blocker.query("ROLLBACK");
    await blocker.end();

    seqs.push(...(await d.publishAll(events.slice(1_000))));
    await d.startService();
    await d.waitForStored(conversationId, 1_500, 90_000);
    assert.deepEqual(await d.storedSeqs(conversationId), seqs);
  });

  it("should terminate an undecodable entry and store the entries after it", async function () {
    d = await HistoryDeployment.start();
    const { alice, bob, conversationId } = directPair();
    const poisonSeq = await d.publishRaw(conversationId, new TextEncoder().encode("not protobuf"));
    const seqs = await d.publishAll(textEvents(conversationId, alice, [alice, bob], 3));
    await d.waitForStored(conversationId, 3);

    assert.deepEqual(await d.storedSeqs(conversationId), seqs);
    const report = d.service.logs.find((l) => l.msg === "log entry unreadable, terminated");
    assert.equal(report?.stream_seq, poisonSeq);
    assert.equal(report?.level, "error");
    const jsm = await jetstreamManager(d.nc);
    await eventually(
      async () => {
        const info = await jsm.consumers.info(d.topology.messagesStream, "history");
        return info.num_ack_pending === 0 && info.num_pending === 0;
      },
      10_000,
      "history consumer settled",
    );
  });

  it("should terminate an entry whose time Postgres cannot store, and go on", async function () {
    d = await HistoryDeployment.start();
    const { alice, bob, conversationId } = directPair();
    const [bad, ...good] = textEvents(conversationId, alice, [alice, bob], 4);
    const badSeq = await d.publishRaw(
      conversationId,
      ConversationEvent.encode({ ...bad!, sentAtMs: -1e15 }).finish(),
    );
    const seqs = await d.publishAll(good);
    await d.waitForStored(conversationId, 3);
    assert.deepEqual(await d.storedSeqs(conversationId), seqs);
    const report = d.service.logs.find((l) => l.msg === "log entry unreadable, terminated");
    assert.equal(report?.stream_seq, badSeq);
  });

  it("should recreate the history consumer when it is deleted", async function () {
    d = await HistoryDeployment.start();
    const { alice, bob, conversationId } = directPair();
    const events = textEvents(conversationId, alice, [alice, bob], 20);
    const seqs = await d.publishAll(events.slice(0, 10));
    await d.waitForStored(conversationId, 10);

    const jsm = await jetstreamManager(d.nc);
    await jsm.consumers.delete(d.topology.messagesStream, d.topology.historyConsumer);
    seqs.push(...(await d.publishAll(events.slice(10))));
    await d.waitForStored(conversationId, 20);
    assert.deepEqual(await d.storedSeqs(conversationId), seqs);
  });

  it("should retry a failed batch write until it succeeds", async function () {
    d = await HistoryDeployment.start({ HISTORY_RETRY_MAX_MS: "200" });
    const { alice, bob, conversationId } = directPair();
    const events = textEvents(conversationId, alice, [alice, bob], 10);
    await d.db.query(`ALTER TABLE "${d.ns}".messages RENAME TO messages_away`);
    const seqs = await d.publishAll(events);
    await eventually(
      async () => d.service.logs.some((l) => l.msg === "batch write failed, retrying"),
      10_000,
      "a failed write",
    );
    await d.db.query(`ALTER TABLE "${d.ns}".messages_away RENAME TO messages`);
    await d.waitForStored(conversationId, 10);
    assert.deepEqual(await d.storedSeqs(conversationId), seqs);
  });
});

/** Whether some session waits for a lock on the schema's messages table. */
async function writerIsWaiting(db: pg.Client, schema: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE NOT l.granted AND n.nspname = $1 AND c.relname = 'messages'`,
    [schema],
  );
  return (rowCount ?? 0) > 0;
}
