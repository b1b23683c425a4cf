import assert from "node:assert/strict";
import pg from "pg";
import { createLogger } from "@parley/common";
import { dropSchema } from "../../testkit/cleanup.js";
import { TEST_DATABASE_URL, uniqueNamespace } from "../../testkit/env.js";
import { decodeLogEntry, type StoredMessage } from "../src/domain/stored-message.js";
import { MessageWriter } from "../src/pg/message-writer.js";
import { migrate } from "../src/pg/migrate.js";
import { createPool } from "@parley/common/pg";
import { directPair, textEvents } from "./helpers/events.js";
import { ConversationEvent } from "@parley/proto/parley/events/v1/events";

describe("svc-history MessageWriter", function () {
  const log = createLogger("svc-history-test", "silent");
  let schema: string;
  let pool: pg.Pool;
  let writer: MessageWriter;

  beforeEach(async () => {
    schema = uniqueNamespace();
    await migrate(TEST_DATABASE_URL, schema, log);
    pool = createPool(
      { url: TEST_DATABASE_URL, schema, size: 2, applicationName: "svc-history-test" },
      log,
    );
    writer = new MessageWriter(pool);
  });
  afterEach(async () => {
    await pool.end();
    await dropSchema(schema);
  });

  /** Stored messages as the consumer builds them, seqs from `firstSeq` on. */
  function batch(
    conversationId: string,
    members: string[],
    count: number,
    firstSeq: number,
  ): StoredMessage[] {
    return textEvents(conversationId, members[0]!, members, count).map((e, i) => {
      const stored = decodeLogEntry(ConversationEvent.encode(e).finish(), firstSeq + i);
      assert.ok(stored, "a text event is stored");
      return stored;
    });
  }

  it("should store nothing twice when a batch is written again", async function () {
    const { alice, bob, conversationId } = directPair();
    const messages = batch(conversationId, [alice, bob], 50, 1);

    assert.equal(await writer.write(messages), 50);
    assert.equal(await writer.write([...messages, ...messages]), 0);
    const { rows } = await pool.query("SELECT count(*)::int AS n FROM messages");
    assert.equal(rows[0].n, 50);
  });

  it("should keep the first joined_seq and the last seq whatever order batches arrive in", async function () {
    const { alice, bob, conversationId } = directPair();
    const early = batch(conversationId, [alice, bob], 5, 10);
    const late = batch(conversationId, [alice, bob], 5, 20);

    await writer.write(late);
    await writer.write(early);
    const members = await pool.query(
      "SELECT user_id, joined_seq::int FROM conversation_members WHERE conversation_id = $1 ORDER BY user_id",
      [conversationId],
    );
    const listed = await pool.query(
      "SELECT user_id, last_seq::int FROM user_conversations WHERE conversation_id = $1 ORDER BY user_id",
      [conversationId],
    );
    const conversation = await pool.query(
      "SELECT kind, created_at FROM conversations WHERE conversation_id = $1",
      [conversationId],
    );
    assert.deepEqual(members.rows, [
      { user_id: alice, joined_seq: 10 },
      { user_id: bob, joined_seq: 10 },
    ]);
    assert.deepEqual(listed.rows, [
      { user_id: alice, last_seq: 24 },
      { user_id: bob, last_seq: 24 },
    ]);
    assert.equal(conversation.rows[0].kind, "direct");
    assert.deepEqual(conversation.rows[0].created_at, early[0]!.sentAt);
  });
});
