import assert from "node:assert/strict";
import { EdgeDeployment, token, waitForHealth } from "./support/deployment.js";
import { InboxWriter } from "./support/inbox-writer.js";
import { TestClient } from "./support/ws-client.js";

describe("svc-edge lifecycle", () => {
  it("should drop a peer that stops answering heartbeats", async () => {
    const dep = await EdgeDeployment.start({ EDGE_HEARTBEAT_MS: "200" });
    try {
      const client = await TestClient.connect(dep.url, { autoPong: false });
      await client.hello(await token({ userId: "mute", deviceId: "d1" }));
      // Terminated without a close frame: the client sees 1006.
      assert.equal((await client.closed).code, 1006);
    } finally {
      await dep.stop();
    }
  });

  it("should keep a peer that answers heartbeats with pongs alone", async () => {
    const dep = await EdgeDeployment.start({ EDGE_HEARTBEAT_MS: "100" });
    try {
      const client = await dep.open("quiet");
      let closed = false;
      void client.closed.then(() => (closed = true));
      // Six heartbeat intervals without a single frame from the client:
      // only ws's automatic pong answers the server's pings.
      await new Promise((resolve) => setTimeout(resolve, 600));
      assert.equal(closed, false, "still connected");
      assert.deepEqual(await client.close(), { code: 1000, reason: "" });
    } finally {
      await dep.stop();
    }
  });

  it("should close a connection with 4401 once its token expires", async () => {
    const dep = await EdgeDeployment.start({ EDGE_HEARTBEAT_MS: "200" });
    try {
      const client = await TestClient.connect(dep.url);
      const opened = Date.now();
      await client.hello(await token({ userId: "brief", deviceId: "d1" }, 2));
      assert.deepEqual(await client.closed, { code: 4401, reason: "token expired" });
      assert.ok(Date.now() - opened < 3_000, "within a heartbeat of exp");
    } finally {
      await dep.stop();
    }
  });

  it("should answer /healthz with 503 stopping during the close grace", async () => {
    const dep = await EdgeDeployment.start({ EDGE_CLOSE_GRACE_MS: "2000" });
    try {
      const client = await dep.open("draining");
      const url = `${dep.httpUrl}/healthz`;
      assert.equal((await fetch(url)).status, 200);
      dep.edge.process.kill("SIGTERM");
      const res = await waitForHealth(url, 503);
      assert.deepEqual(await res.json(), { status: "stopping" });
      assert.equal((await client.closed).code, 1001);
    } finally {
      await dep.stop();
    }
  });

  it("should close sockets with 1001 on shutdown and keep the acks they made", async () => {
    const dep = await EdgeDeployment.start({
      EDGE_CURSOR_FLUSH_MS: "60000", // only the shutdown flush can write the ack
      EDGE_CLOSE_GRACE_MS: "0",
    });
    const inbox = await InboxWriter.connect(dep.namespace);
    try {
      const written = await inbox.writeMany("lena", 4);
      const client = await dep.open("lena");
      await client.caughtUp();
      client.send({ type: "ack", inbox_seq: written[1] });
      await client.request({ type: "ping", id: "sync" });
      await dep.edge.stop();
      assert.equal((await client.closed).code, 1001);

      const restarted = await EdgeDeployment.start({}, dep.namespace);
      try {
        const again = await restarted.open("lena");
        await again.caughtUp();
        assert.deepEqual(
          again.receivedMessages().map((f) => f.inbox_seq),
          written.slice(2),
        );
        await again.close();
      } finally {
        await restarted.edge.stop();
      }
    } finally {
      await inbox.close();
      await dep.stop();
    }
  });
});
