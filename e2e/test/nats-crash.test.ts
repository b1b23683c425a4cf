import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { startPrivateNats, type PrivateNats } from "../../testkit/nats-server.js";
import { ResilientReceiver, ResilientSender } from "../support/resilient-clients.js";
import { waitUntilStored } from "../support/stored.js";
import { System } from "../support/system.js";

describe("e2e NATS crash", function () {
  this.timeout(120_000);
  let nats: PrivateNats;
  let system: System;

  before(async () => {
    nats = await startPrivateNats();
    system = await System.start({ NATS_URL: nats.url });
  });

  after(async () => {
    await system?.stop();
    await nats?.dispose();
  });

  it("should deliver and store every acked message after NATS is killed and restarted", async () => {
    const url = () => system.edgeUrl;
    const bob = new ResilientReceiver(url, "bob");
    const alice = new ResilientSender(url, "alice", "bob");
    await bob.connect();
    await alice.connect();

    for (let i = 0; i < 200; i++) {
      alice.send(`n-${i}`, `message ${i}`);
      if (i === 80) {
        await nats.kill();
        void sleep(500).then(() => nats.restart());
      }
      await sleep(3);
    }
    await alice.drained(90_000);
    const ids = [...alice.acked.values()].map((a) => a.messageId);
    assert.equal(ids.length, 200);
    assert.equal(alice.refused.length, 0);
    await bob.received(ids, 90_000);
    const stored = await waitUntilStored(system.namespace, ids, 90_000);
    for (const id of ids) assert.equal(stored.get(id), 1, id);
    // Bob's socket stayed open: the edge caught up after NATS came back
    // from where it was, so nothing reached him twice.
    for (const id of ids) assert.equal(bob.counts.get(id), 1, id);
    await Promise.all([alice.close(), bob.close()]);
  });
});
