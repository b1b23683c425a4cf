import assert from "node:assert/strict";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { loadConfig, natsSettings, topologyFromSettings, type Topology } from "@parley/common";
import type { TestClient, Frame } from "../../svc-edge/test/support/ws-client.js";
import { baseEnv, TEST_NATS_URL } from "../../testkit/env.js";
import { eventually } from "../../testkit/eventually.js";
import type { RunningService } from "../../testkit/service.js";
import { Clients, ok } from "../support/clients.js";
import { System } from "../support/system.js";

interface View {
  conversation_id: string;
  seq: number;
  body?: string;
  membership?: { action: string };
}
const viewOf = (frame: Frame) => frame.message as View;

/** The bodies (or membership actions) of one conversation, in arrival order. */
const bodiesIn = (frames: Frame[], conversation: string) =>
  frames
    .map(viewOf)
    .filter((m) => m.conversation_id === conversation)
    .map((m) => m.body ?? m.membership?.action);

// baseEnv's PARLEY_PARTITIONS is 4: the first svc-delivery fans out two of
// them, a second instance the other two.
const FIRST = [0, 1];
const SECOND = [2, 3];

describe("e2e fanout shared by two svc-delivery instances", () => {
  let system: System;
  let topology: Topology;
  let second: RunningService;
  const clients = new Clients(() => system.edgeUrl);

  before(async () => {
    system = await System.start({ FANOUT_PARTITIONS: FIRST.join(",") });
    second = await system.startExtra("delivery", { FANOUT_PARTITIONS: SECOND.join(",") });
    topology = topologyFromSettings(loadConfig(natsSettings, { env: baseEnv(system.namespace) }));
  });

  afterEach(async () => {
    await clients.closeAll();
  });

  after(async () => {
    await system?.stop();
  });

  /**
   * Creates groups of `members` until one lives in a partition of each
   * instance (a group's id is derived from its creator and request id, so
   * its partition is found by trying).
   */
  async function groupsOnBothInstances(admin: TestClient, members: string[]) {
    const found = new Map<"first" | "second", string>();
    for (let i = 0; found.size < 2 && i < 40; i++) {
      const created = await ok(admin, {
        type: "create_group",
        id: `pg${i}`,
        title: `partitioned ${i}`,
        members,
      });
      const group = (created.conversation as { conversation_id: string }).conversation_id;
      const owner = FIRST.includes(topology.partitionOf(group)) ? "first" : "second";
      if (!found.has(owner)) found.set(owner, group);
    }
    assert.equal(found.size, 2, "a group in each instance's partitions");
    return [found.get("first")!, found.get("second")!] as const;
  }

  it("should give every member one order per group while two instances share the partitions", async () => {
    assert.deepEqual(system.service("delivery")!.ready.partitions, FIRST);
    assert.deepEqual(second.ready.partitions, SECOND);

    const users = ["pa0", "pa1", "pa2", "pa3"];
    const members = await Promise.all(users.map((u) => clients.open(u)));
    const groups = await groupsOnBothInstances(members[0]!, users.slice(1));

    // Two senders at once in each group.
    const burst = (client: TestClient, who: string, group: string) =>
      Promise.all(
        Array.from({ length: 25 }, (_, i) =>
          ok(client, {
            type: "send",
            id: `${who}-${group}-${i}`,
            conversation_id: group,
            body: `${who}${i}`,
          }),
        ),
      );
    const sent = await Promise.all(
      groups.flatMap((g) => [burst(members[0]!, "a", g), burst(members[1]!, "b", g)]),
    );
    const lastSeq = (group: string) =>
      Math.max(
        ...sent
          .flat()
          .filter((s) => s.conversation_id === group)
          .map((s) => Number(s.seq)),
      );

    // The members who did not send got every group's 50 messages, in one
    // order per group; each sender got the other's 25 (not its own: it
    // has its `sent` answers), in that same order.
    const watchers = members.slice(2);
    await Promise.all(
      watchers.map((m) =>
        eventually(
          () => groups.every((g) => bodiesIn(m.receivedMessages(), g).length >= 1 + 50),
          15_000,
          "every group's messages",
          50,
        ),
      ),
    );
    for (const group of groups) {
      const orders = watchers.map((m) => bodiesIn(m.receivedMessages(), group));
      assert.equal(orders[0]!.length, 1 + 50, "each event once");
      for (const order of orders.slice(1)) assert.deepEqual(order, orders[0]);
      for (const [sender, other] of [
        [members[0]!, "b"],
        [members[1]!, "a"],
      ] as const) {
        await eventually(
          () => bodiesIn(sender.receivedMessages(), group).length >= 1 + 25,
          15_000,
          "the other sender's messages",
          50,
        );
        assert.deepEqual(
          bodiesIn(sender.receivedMessages(), group),
          orders[0]!.filter((b) => !/^[ab]/.test(b!) || b!.startsWith(other)),
        );
      }
      const seqs = watchers[0]!
        .receivedMessages()
        .map(viewOf)
        .filter((v) => v.conversation_id === group)
        .map((v) => v.seq);
      assert.deepEqual(
        seqs,
        [...seqs].sort((x, y) => x - y),
        "in log order",
      );
      for (const who of ["a", "b"]) {
        assert.deepEqual(
          orders[0]!.filter((b) => b!.startsWith(who)),
          Array.from({ length: 25 }, (_, i) => `${who}${i}`),
          `${who}'s messages in the order sent`,
        );
      }
    }

    // Each instance fanned its group out: the group's partition consumer
    // (held by that instance alone) delivered and acked the whole group.
    const nc = await connect({ servers: TEST_NATS_URL });
    try {
      const jsm = await jetstreamManager(nc);
      for (const group of groups) {
        const consumer = topology.fanoutConsumer(topology.partitionOf(group));
        const info = await jsm.consumers.info(topology.messagesStream, consumer);
        assert.ok(info.ack_floor.stream_seq >= lastSeq(group), `${consumer} acked the group`);
      }
    } finally {
      await nc.close();
    }
  });
});
