import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import type { TestClient, Frame } from "../../svc-edge/test/support/ws-client.js";
import { eventually } from "../../testkit/eventually.js";
import { Clients, ok } from "../support/clients.js";
import { System } from "../support/system.js";

interface View {
  id: string;
  from: string;
  from_device: string;
  body?: string;
}
const viewOf = (frame: Frame) => frame.message as View;
const bodies = (frames: Frame[]) => frames.map((f) => viewOf(f).body);
const inboxSeqs = (frames: Frame[]) => frames.map((f) => Number(f.inbox_seq));

/** Acks everything up to the last frame, and waits until the edge has read the ack. */
async function ackAll(client: TestClient, frames: Frame[]): Promise<void> {
  client.send({ type: "ack", inbox_seq: frames.at(-1)!.inbox_seq });
  await client.request({ type: "ping", id: `sync-${Date.now()}` });
}

describe("e2e one user on several devices", () => {
  let system: System;
  const clients = new Clients(() => system.edgeUrl);
  const open = (user: string, device?: string) => clients.open(user, device);

  before(async () => {
    system = await System.start();
  });

  afterEach(async () => {
    await clients.closeAll();
  });

  after(async () => {
    await system?.stop();
  });

  it("should deliver to all three devices, copy a device's send to the other two, and keep a cursor per device", async () => {
    const peer = await open("dv-peer");
    const [one, two, three] = await Promise.all(
      ["one", "two", "three"].map((device) => open("dv-me", device)),
    );

    // From a peer: every device gets every message, at the same inbox seqs.
    for (const i of [0, 1, 2]) {
      await ok(peer, { type: "send", id: `p${i}`, to: "dv-me", body: `from peer ${i}` });
    }
    const fromPeer = await Promise.all([one!, two!, three!].map((d) => d.messages(3)));
    for (const got of fromPeer) {
      assert.deepEqual(bodies(got), ["from peer 0", "from peer 1", "from peer 2"]);
      assert.deepEqual(inboxSeqs(got), inboxSeqs(fromPeer[0]!));
    }

    // From device one: a copy on devices two and three, none back on one
    // (its `sent` answer has the id and seq).
    const sent = await ok(one!, { type: "send", id: "mine", to: "dv-peer", body: "from one" });
    const copies = await Promise.all([two!, three!].map((d) => d.messages(1)));
    for (const [copy] of copies) {
      assert.equal(viewOf(copy!).id, sent.message_id);
      assert.equal(viewOf(copy!).from_device, "one");
      assert.equal(viewOf(copy!).body, "from one");
    }
    // The peer gets it too (after the copies of its own sends).
    await peer.next((f) => f.type === "message" && viewOf(f).id === sent.message_id);

    // One and three ack everything they got; two disconnects without acking.
    const all = [...fromPeer[0]!, ...copies[1]!];
    await ackAll(one!, fromPeer[0]!);
    await ackAll(three!, all);
    await two!.close();

    // Two comes back: it alone gets the four entries again.
    const twoAgain = await open("dv-me", "two");
    assert.deepEqual(inboxSeqs(twoAgain.receivedMessages()), inboxSeqs(all));
    assert.deepEqual(bodies(twoAgain.receivedMessages()), bodies(all));
    await sleep(300);
    assert.equal(one!.receivedMessages().length, 3, "nothing new on one, nor its own send");
    assert.equal(three!.receivedMessages().length, 4, "nothing new on three");

    // One and three come back too: their cursors hold, nothing is replayed
    // (one's cursor is short of its own send, which is skipped again).
    await Promise.all([one!.close(), three!.close()]);
    const [oneAgain, threeAgain] = await Promise.all([
      open("dv-me", "one"),
      open("dv-me", "three"),
    ]);
    assert.equal(oneAgain!.receivedMessages().length, 0, "one acked everything");
    assert.equal(threeAgain!.receivedMessages().length, 0, "three acked everything");

    // Acked on two now, it is not replayed on two either.
    await ackAll(twoAgain, twoAgain.receivedMessages());
    await twoAgain.close();
    const twoThird = await open("dv-me", "two");
    assert.equal(twoThird.receivedMessages().length, 0, "two acked at last");
  });

  it("should start a device linked later from now, and let it fill the past from history", async () => {
    const peer = await open("dl-peer");
    const first = await open("dl-me", "phone");
    let conversation = "";
    for (const i of [0, 1, 2]) {
      const sent = await ok(peer, { type: "send", id: `b${i}`, to: "dl-me", body: `old ${i}` });
      conversation = sent.conversation_id as string;
    }
    const backlog = await first.messages(3);

    // Linked next to the phone: no backlog, caught up at the newest entry.
    const client = await clients.open("dl-me", "laptop");
    const welcomeCaughtUp = client.frames.find((f) => f.type === "caught_up")!;
    assert.equal(welcomeCaughtUp.inbox_seq, backlog.at(-1)!.inbox_seq);
    assert.equal(client.receivedMessages().length, 0, "no backlog on a new device");

    await ok(peer, { type: "send", id: "n0", to: "dl-me", body: "new 0" });
    assert.deepEqual(bodies(await client.messages(1)), ["new 0"]);
    assert.deepEqual(bodies(await first.messages(1)), ["new 0"]);

    // The past comes from history (written behind the log, so it may lag;
    // until the conversation is stored, it is not the user's either).
    let page: View[] = [];
    await eventually(
      async () => {
        const answer = await client.request({
          type: "history",
          id: `h${Date.now()}`,
          conversation_id: conversation,
        });
        page = (answer.messages as View[] | undefined) ?? [];
        return page.length >= 4;
      },
      5_000,
      "the conversation in history",
      100,
    );
    assert.deepEqual(
      page.map((m) => m.body),
      ["old 0", "old 1", "old 2", "new 0"],
    );
  });
});
