import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { TestClient } from "../../svc-edge/test/support/ws-client.js";
import { token } from "../../svc-edge/test/support/deployment.js";
import { waitUntilStored } from "../support/stored.js";
import { System } from "../support/system.js";

const WINDOW_MS = 1_000;

describe("e2e sends retried after the duplicate window", () => {
  let system: System;
  const open = async (user: string, device = "d1") =>
    TestClient.open(system.edgeUrl, await token({ userId: user, deviceId: device }));

  before(async () => {
    system = await System.start({ PARLEY_SEND_DEDUP_WINDOW_MS: String(WINDOW_MS) });
  });

  after(async () => {
    await system?.stop();
  });

  it("should answer a late retry with the original message, not a second one", async () => {
    const alice = await open("alice");
    const bob = await open("bob");
    await bob.caughtUp();
    const first = await alice.request({ type: "send", id: "late-1", to: "bob", body: "once" });
    await waitUntilStored(system.namespace, [first.message_id as string]);
    await sleep(WINDOW_MS * 2);

    const retry = await alice.request({
      type: "send",
      id: "late-1",
      to: "bob",
      body: "once",
      retry: true,
    });
    assert.equal(retry.type, "sent");
    assert.equal(retry.message_id, first.message_id);
    assert.equal(retry.seq, first.seq);
    assert.equal(retry.sent_at, first.sent_at);
    assert.equal(retry.duplicate, true);

    await alice.request({ type: "send", id: "late-2", to: "bob", body: "marker" });
    const got = await bob.messages(2);
    assert.deepEqual(
      got.map((f) => (f.message as { body: string }).body),
      ["once", "marker"],
    );
    await Promise.all([alice.close(), bob.close()]);
  });

  it("should still store and deliver once a late resend not marked as a retry", async () => {
    const alice = await open("alice", "d2");
    const carol = await open("carol");
    await carol.caughtUp();
    const first = await alice.request({ type: "send", id: "plain-1", to: "carol", body: "hi" });
    await waitUntilStored(system.namespace, [first.message_id as string]);
    await sleep(WINDOW_MS * 2);

    // Past the window the log takes it again (a new seq), but the message id
    // is the same: the inbox and history each keep it once.
    const again = await alice.request({ type: "send", id: "plain-1", to: "carol", body: "hi" });
    assert.equal(again.message_id, first.message_id);
    await alice.request({ type: "send", id: "plain-2", to: "carol", body: "marker" });
    const got = await carol.messages(2);
    assert.deepEqual(
      got.map((f) => (f.message as { body: string }).body),
      ["hi", "marker"],
    );
    const stored = await waitUntilStored(system.namespace, [first.message_id as string]);
    assert.equal(stored.get(first.message_id as string), 1);
    await Promise.all([alice.close(), carol.close()]);
  });

  it("should refuse a retry flag that is not a boolean", async () => {
    const alice = await open("alice", "d3");
    const refused = await alice.request({ type: "send", id: "x", to: "bob", body: "x", retry: 1 });
    assert.equal(refused.type, "error");
    assert.equal(refused.code, "invalid_argument");
    await alice.close();
  });
});
