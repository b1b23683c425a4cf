// A short run of every bench scenario against one small system, so the
// load generator does not rot: each scenario must run to the end with
// every connection up and every message accounted for, once.
import assert from "node:assert/strict";
import { runBacklog } from "../scenarios/backlog.js";
import { runChat } from "../scenarios/chat.js";
import { runIdle } from "../scenarios/idle.js";
import { BenchSystem } from "../support/system.js";

describe("bench smoke", function () {
  this.timeout(60_000);
  let system: BenchSystem;

  before(async () => {
    system = await BenchSystem.start({ edges: 2 });
  });
  after(() => system?.stop());

  it("should hold idle connections on every edge", async () => {
    const result = await runIdle({
      connections: 60,
      edges: 2,
      workers: 2,
      holdSeconds: 1,
      heartbeatMs: 25_000,
      concurrency: 20,
      urls: system.edgeUrls,
    });
    assert.equal(result.opened, 60);
    assert.equal(result.held, 60);
    assert.equal(result.dropped, 0);
  });

  it("should deliver every chat message once, on Parley and both baselines", async () => {
    const runs = await runChat({
      users: 40,
      groupShare: 0.3,
      rates: [100],
      stepSeconds: 1,
      workers: 2,
      edges: 2,
      bodyBytes: 100,
      targets: ["parley", "ws", "nats"],
      stopAtSaturation: false,
      urls: system.edgeUrls,
    });
    for (const run of runs) {
      assert.equal(run.connect_failures, 0, run.target);
      assert.ok(run.accounting.acked > 0, run.target);
      assert.equal(run.accounting.lost, 0, run.target);
      assert.equal(run.accounting.duplicates, 0, run.target);
      assert.equal(run.accounting.unexpected, 0, run.target);
      assert.equal(run.accounting.delivered, run.accounting.expectedDeliveries, run.target);
    }
  });

  for (const [name, recipients, backlog] of [
    ["after a reconnect storm", 20, 5],
    ["of an offline device at login", 1, 100],
  ] as const) {
    it(`should deliver the whole backlog ${name}`, async () => {
      const result = await runBacklog({
        recipients,
        backlog,
        senders: 10,
        workers: 2,
        edges: 2,
        window: 10,
        bodyBytes: 100,
        concurrency: 20,
        urls: system.edgeUrls,
      });
      assert.equal(result.reconnected, recipients);
      assert.equal(result.incomplete, 0);
      assert.equal(result.accounting.delivered, recipients * backlog);
      assert.equal(result.accounting.lost, 0);
      assert.equal(result.accounting.duplicates, 0);
    });
  }
});
