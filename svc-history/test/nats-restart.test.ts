import assert from "node:assert/strict";
import { startPrivateNats, type PrivateNats } from "../../testkit/nats-server.js";
import { HistoryDeployment } from "./helpers/deployment.js";
import { directPair, textEvents } from "./helpers/events.js";
import type { ConversationEvent } from "@parley/proto/parley/events/v1/events";

describe("svc-history across a NATS restart", function () {
  let nats: PrivateNats;
  let d: HistoryDeployment;
  afterEach(async () => {
    await d?.dispose();
    await nats?.dispose();
  });

  /** Publishes one by one, retrying each until the restarted server takes it. */
  async function publishPatiently(events: ConversationEvent[]): Promise<number[]> {
    const seqs: number[] = [];
    for (const event of events) {
      for (let attempt = 0; ; attempt++) {
        try {
          seqs.push(await d.publish(event));
          break;
        } catch (err) {
          if (attempt > 100) throw err;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    }
    return seqs;
  }

  it("should keep storing the log after NATS is killed and restarted", async function () {
    nats = await startPrivateNats();
    d = await HistoryDeployment.start({ NATS_URL: nats.url });
    const { alice, bob, conversationId } = directPair();
    const events = textEvents(conversationId, alice, [alice, bob], 20);
    const seqs = await d.publishAll(events.slice(0, 10));
    await d.waitForStored(conversationId, 10);

    await nats.kill();
    await nats.restart();
    seqs.push(...(await publishPatiently(events.slice(10))));
    await d.waitForStored(conversationId, 20, 40_000);
    assert.deepEqual(await d.storedSeqs(conversationId), seqs);
  });
});
