import assert from "node:assert/strict";
import { EdgeDeployment } from "./support/deployment.js";
import { InboxWriter } from "./support/inbox-writer.js";
import type { Frame } from "./support/ws-client.js";

const bodies = (frames: Frame[]) => frames.map((f) => (f.message as { body: string }).body);
const seqs = (frames: Frame[]) => frames.map((f) => Number(f.inbox_seq));

describe("svc-edge inbox delivery", () => {
  let dep: EdgeDeployment;
  let inbox: InboxWriter;
  let user = 0;
  /** A user of its own for each test: inboxes and cursors never overlap. */
  const nextUser = () => `u${++user}`;

  before(async () => {
    dep = await EdgeDeployment.start({ EDGE_CATCHUP_BATCH: "16", EDGE_CURSOR_FLUSH_MS: "100" });
    inbox = await InboxWriter.connect(dep.namespace);
  });
  after(async () => {
    await inbox?.close();
    await dep?.stop();
  });

  it("should send caught_up at once when the inbox is empty", async () => {
    const client = await dep.open(nextUser());
    assert.equal((await client.caughtUp()).inbox_seq, 0);
    await client.close();
  });

  it("should deliver an entry written to the inbox while connected", async () => {
    const alice = nextUser();
    const client = await dep.open(alice);
    await client.caughtUp();
    const seq = await inbox.write(alice, "hello alice", "bob");
    const [frame] = await client.messages(1);
    assert.equal(frame!.inbox_seq, seq);
    const message = frame!.message as Record<string, unknown>;
    assert.equal(message.body, "hello alice");
    assert.equal(message.from, "bob");
    assert.equal(message.conversation_id, "d_test");
    assert.deepEqual(Object.keys(message).sort(), [
      "body",
      "client_id",
      "conversation_id",
      "from",
      "from_device",
      "id",
      "sent_at",
      "seq",
    ]);
    await client.close();
  });

  it("should deliver an offline backlog of 100 entries in order, once, then caught_up", async () => {
    const carol = nextUser();
    const written = await inbox.writeMany(carol, 100);
    const client = await dep.open(carol);
    const got = await client.messages(100);
    const caughtUp = await client.caughtUp();
    assert.deepEqual(seqs(got), written);
    assert.deepEqual(
      bodies(got),
      written.map((_, i) => `m${i}`),
    );
    assert.equal(caughtUp.inbox_seq, written.at(-1));
    assert.equal(client.frames.at(-1), caughtUp, "caught_up comes after the backlog");
    // Live after the backlog, with nothing delivered twice.
    const next = await inbox.write(carol, "after");
    assert.equal((await client.messages(1))[0]!.inbox_seq, next);
    assert.equal(client.receivedMessages().length, 101);
    await client.close();
  });

  it("should not redeliver acked entries on the next connect, and redeliver unacked ones", async () => {
    const dave = nextUser();
    const written = await inbox.writeMany(dave, 10);
    const first = await dep.open(dave);
    await first.caughtUp();
    first.send({ type: "ack", inbox_seq: written[5] });
    await first.request({ type: "ping", id: "sync" }); // the ack was processed
    await first.close();

    const second = await dep.open(dave);
    await second.caughtUp();
    assert.deepEqual(seqs(second.receivedMessages()), written.slice(6));
    await second.close();
  });

  it("should never move the cursor back on an older ack", async () => {
    const erin = nextUser();
    const written = await inbox.writeMany(erin, 4);
    const first = await dep.open(erin);
    await first.caughtUp();
    first.send({ type: "ack", inbox_seq: written[2] });
    first.send({ type: "ack", inbox_seq: written[0] });
    await first.request({ type: "ping", id: "sync" });
    await first.close();

    const second = await dep.open(erin);
    await second.caughtUp();
    assert.deepEqual(seqs(second.receivedMessages()), written.slice(3));
    await second.close();
  });

  it("should close the older connection of a device with 4409 and deliver to the newer", async () => {
    const frank = nextUser();
    const older = await dep.open(frank, "phone");
    await older.caughtUp();
    const newer = await dep.open(frank, "phone");
    assert.equal((await older.closed).code, 4409);
    await newer.caughtUp();
    const seq = await inbox.write(frank, "to the newer");
    assert.equal((await newer.messages(1))[0]!.inbox_seq, seq);
    await newer.close();
  });

  it("should let the replacing connection see the acks of the one it replaced", async () => {
    const gina = nextUser();
    const written = await inbox.writeMany(gina, 3);
    const older = await dep.open(gina, "phone");
    await older.caughtUp();
    older.send({ type: "ack", inbox_seq: written[2] });
    await older.request({ type: "ping", id: "sync" });
    const newer = await dep.open(gina, "phone");
    await newer.caughtUp();
    assert.equal(newer.receivedMessages().length, 0);
    await newer.close();
  });

  it("should deliver one user's entries to each of their connected devices", async () => {
    const hal = nextUser();
    const phone = await dep.open(hal, "phone");
    const laptop = await dep.open(hal, "laptop");
    await Promise.all([phone.caughtUp(), laptop.caughtUp()]);
    const written = await inbox.writeMany(hal, 5);
    assert.deepEqual(seqs(await phone.messages(5)), written);
    assert.deepEqual(seqs(await laptop.messages(5)), written);
    await Promise.all([phone.close(), laptop.close()]);
  });

  it("should deliver a backlog of large bodies to a slow reader, in order, without closing it", async () => {
    // Default batch and buffer limits: one batch of 256 such entries is
    // about 3 MiB, three times what a socket may have queued.
    const big = await EdgeDeployment.start({}, dep.namespace);
    try {
      const ivy = nextUser();
      const written = await inbox.writeMany(ivy, 1500, "b", 12 * 1024);
      const client = await big.open(ivy);
      client.ws.pause(); // read nothing for a while: the edge must wait, not queue
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      client.ws.resume();
      const got = await client.messages(1500);
      assert.deepEqual(seqs(got), written);
      assert.equal(bodies(got)[1499], "b1499".padEnd(12 * 1024, "x"));
      assert.equal((await client.caughtUp()).inbox_seq, written.at(-1));
      await client.close();
    } finally {
      await big.edge.stop();
    }
  });

  it("should close a client that does not read with 4008 (slow consumer)", async () => {
    const slow = await EdgeDeployment.start({ EDGE_MAX_BUFFERED_BYTES: "65536" }, dep.namespace);
    try {
      const jack = nextUser();
      const client = await slow.open(jack);
      await client.caughtUp();
      client.ws.pause(); // stop reading: the kernel buffers fill, then the edge's
      const big = "x".repeat(4000);
      let closed: { code: number } | undefined;
      void client.closed.then((c) => (closed = c));
      for (let round = 0; round < 50 && !closed; round++) {
        await Promise.all(Array.from({ length: 100 }, () => inbox.write(jack, big)));
      }
      client.ws.resume();
      assert.equal((await client.closed).code, 4008);
    } finally {
      await slow.edge.stop();
    }
  });
});
