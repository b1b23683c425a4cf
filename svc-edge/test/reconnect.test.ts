import assert from "node:assert/strict";
import { uniqueNamespace } from "../../testkit/env.js";
import { EdgeDeployment, waitForHealth } from "./support/deployment.js";
import { InboxWriter } from "./support/inbox-writer.js";
import { TcpProxy } from "./support/tcp-proxy.js";

describe("svc-edge after a NATS reconnect", () => {
  let proxy: TcpProxy;
  let dep: EdgeDeployment;
  let inbox: InboxWriter;

  before(async () => {
    const namespace = uniqueNamespace();
    // The test writes straight to NATS; the edge reaches it through a proxy
    // the test can cut.
    inbox = await InboxWriter.connect(namespace);
    proxy = await TcpProxy.start("127.0.0.1", 4222);
    dep = await EdgeDeployment.start({ NATS_URL: `nats://127.0.0.1:${proxy.port}` }, namespace);
  });
  after(async () => {
    proxy?.unblock();
    await dep?.stop();
    await inbox?.close();
    await proxy?.close();
  });

  it("should deliver, in order, the entries written while the edge was disconnected", async () => {
    const client = await dep.open("kim");
    await client.caughtUp();
    const before = await inbox.write("kim", "before");
    await client.messages(1);

    proxy.cut();
    const missed = [await inbox.write("kim", "away 1"), await inbox.write("kim", "away 2")];
    proxy.unblock();

    // No newer entry reveals the gap: only the reconnect can.
    const got = await client.messages(2, 20_000);
    assert.deepEqual(
      got.map((f) => f.inbox_seq),
      missed,
    );
    await client.caughtUp();
    const after = await inbox.write("kim", "after");
    assert.equal((await client.messages(1))[0]!.inbox_seq, after);
    const all = client.receivedMessages().map((f) => f.inbox_seq);
    assert.deepEqual(all, [before, ...missed, after]);
    await client.close();
  });

  it("should answer /healthz with 503 while NATS is unreachable, 200 once back", async () => {
    const url = `${dep.httpUrl}/healthz`;
    assert.equal((await fetch(url)).status, 200);
    proxy.cut();
    try {
      const down = await waitForHealth(url, 503);
      assert.deepEqual(await down.json(), { status: "nats_disconnected" });
    } finally {
      proxy.unblock();
    }
    const up = await waitForHealth(url, 200);
    assert.deepEqual(await up.json(), { status: "ok" });
  });
});
