import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import assert from "node:assert/strict";
import { ensureTopology, Topology, type TopologyOptions } from "../src/index.js";
import { dropNatsNamespace } from "../../testkit/cleanup.js";
import { TEST_NATS_URL, uniqueNamespace } from "../../testkit/env.js";

const HOUR = 3_600_000;

describe("common topology", () => {
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let ns: string;
  const topology = (overrides: Partial<TopologyOptions> = {}) =>
    new Topology({
      namespace: ns,
      partitions: 2,
      replicas: 1,
      sendDedupWindowMs: 60_000,
      inboxMaxAgeMs: 24 * HOUR,
      ...overrides,
    });

  beforeEach(async () => {
    ns = uniqueNamespace();
    nc = await connect({ servers: TEST_NATS_URL });
    jsm = await jetstreamManager(nc);
  });

  afterEach(async () => {
    await nc.close();
    await dropNatsNamespace(ns);
  });

  it("should create both streams and every durable consumer of the log", async () => {
    const t = topology();
    await ensureTopology(jsm, t);
    const consumers = [];
    for await (const c of jsm.consumers.list(t.messagesStream)) consumers.push(c.name);
    assert.deepEqual(consumers.sort(), ["fanout-p0", "fanout-p1", "history"]);
    const inbox = await jsm.streams.info(t.inboxStream);
    assert.deepEqual(inbox.config.republish, { src: `${ns}.inbox.>`, dest: `${ns}.live.>` });
  });

  it("should leave existing settings alone and report how they differ", async () => {
    await ensureTopology(jsm, topology());
    const drift: string[] = [];
    const other = topology({ inboxMaxAgeMs: 2 * HOUR, fanoutAckWaitMs: 3_000 });
    await ensureTopology(jsm, other, (d) => drift.push(`${d.resource} ${d.setting}`));
    const inbox = await jsm.streams.info(other.inboxStream);
    assert.equal(inbox.config.max_age, 24 * HOUR * 1_000_000);
    assert.ok(drift.some((d) => d.startsWith(`stream ${other.inboxStream} max_age`)));
    assert.ok(drift.some((d) => d.startsWith("consumer fanout-p0 ack_wait")));
    assert.ok(!drift.some((d) => d.includes("history")));
  });

  it("should place every event of a conversation in one partition", () => {
    const t = topology();
    const subject = t.messageSubject("d_abc");
    assert.equal(subject, `${ns}.msgs.${t.partitionOf("d_abc")}.d_abc`);
    assert.ok(subject.startsWith(t.partitionFilter(t.partitionOf("d_abc")).slice(0, -1)));
  });
});
