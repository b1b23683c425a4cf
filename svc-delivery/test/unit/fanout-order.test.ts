import type { JetStreamClient } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { createLogger, Topology, type StreamPublisher } from "@parley/common";
import { ConversationEvent } from "@parley/proto/parley/events/v1/events";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { MembershipSnapshots } from "../../src/membership/membership-snapshots.js";
import { PartitionFanout } from "../../src/nats/fanout.js";
import { eventually } from "../../../testkit/eventually.js";

const topology = new Topology({
  namespace: "unit",
  partitions: 1,
  replicas: 1,
  sendDedupWindowMs: 60_000,
  inboxMaxAgeMs: 3_600_000,
});

/** A log entry as the consumer hands it out, recording acks. */
function entry(seq: number, conversationId: string, acks: number[]) {
  const event = ConversationEvent.fromPartial({
    messageId: `m${seq}`,
    conversationId,
    memberIds: ["bob"],
    text: { body: `b${seq}` },
  });
  return {
    seq,
    data: ConversationEvent.encode(event).finish(),
    ack: () => acks.push(seq),
    nak: () => assert.fail(`entry ${seq} was nak'd`),
    term: () => assert.fail(`entry ${seq} was terminated`),
    working: () => undefined,
  };
}

/**
 * A JetStream client with one consumer holding `entries`, and an inbox
 * publisher that fails the first `failures` writes of seq `failSeq`.
 */
function fakeJetStream(entries: ReturnType<typeof entry>[], failSeq: number, failures: number) {
  const inbox: number[] = [];
  let closed = false;
  const messages = {
    close: async () => void (closed = true),
    closed: async () => undefined,
    async *[Symbol.asyncIterator]() {
      yield* entries;
      while (!closed) await sleep(5);
    },
  };
  const js = {
    consumers: {
      get: async () => ({
        info: async () => ({ num_ack_pending: 0, config: { ack_wait: 0 } }),
        consume: async () => messages,
      }),
    },
  };
  const publisher = {
    publish: async (_subject: string, payload: Uint8Array) => {
      const { seq } = ConversationEvent.decode(payload);
      if (seq === failSeq && failures-- > 0) {
        await sleep(5);
        throw new Error("publish timed out");
      }
      inbox.push(seq);
      return { stream: "INBOX", seq: inbox.length, duplicate: false };
    },
  };
  return {
    js: js as unknown as JetStreamClient,
    publisher: publisher as unknown as StreamPublisher,
    inbox,
  };
}

/**
 * Runs one partition's fanout over `entries` until each is acked; returns
 * the seqs in the order they landed in bob's inbox.
 */
async function fanOut(
  entries: ReturnType<typeof entry>[],
  acks: number[],
  failSeq: number,
  failures: number,
) {
  const { js, publisher, inbox } = fakeJetStream(entries, failSeq, failures);
  const fanout = new PartitionFanout(
    {} as NatsConnection,
    js,
    publisher,
    topology,
    0,
    { maxInFlight: 100, retryMaxMs: 20 },
    new MembershipSnapshots(1_000),
    createLogger("test", "silent"),
  );
  fanout.start();
  await eventually(() => acks.length === entries.length, 2_000, "every entry acked");
  await fanout.stop();
  return inbox;
}

describe("svc-delivery fanout order", () => {
  it("should keep a conversation's order in the inbox when a write is retried", async () => {
    const acks: number[] = [];
    const entries = [1, 2, 3].map((seq) => entry(seq, "d_same", acks));
    assert.deepEqual(await fanOut(entries, acks, 1, 2), [1, 2, 3]);
    assert.deepEqual(acks, [1, 2, 3]);
  });

  it("should not hold other conversations behind a retried write", async () => {
    const acks: number[] = [];
    const entries = [entry(1, "d_slow", acks), entry(2, "d_other", acks)];
    assert.deepEqual(await fanOut(entries, acks, 1, 3), [2, 1]);
  });
});
