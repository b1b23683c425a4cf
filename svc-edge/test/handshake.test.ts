import assert from "node:assert/strict";
import { signToken } from "@parley/common";
import { EdgeDeployment, token } from "./support/deployment.js";
import { TestClient } from "./support/ws-client.js";

describe("svc-edge handshake", () => {
  let dep: EdgeDeployment;

  before(async () => {
    dep = await EdgeDeployment.start({ EDGE_HELLO_TIMEOUT_MS: "500" });
  });
  after(async () => dep?.stop());

  it("should answer GET /healthz", async () => {
    const res = await fetch(`${dep.httpUrl}/healthz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: "ok" });
  });

  it("should welcome a valid hello with the identity and limits", async () => {
    const client = await TestClient.connect(dep.url);
    const welcome = await client.hello(await token({ userId: "alice", deviceId: "phone" }));
    assert.equal(welcome.user_id, "alice");
    assert.equal(welcome.device_id, "phone");
    assert.equal(typeof welcome.heartbeat_ms, "number");
    assert.equal(typeof welcome.max_body_bytes, "number");
    assert.equal(typeof welcome.max_frame_bytes, "number");
    await client.close();
  });

  it("should close with 4401 on a token signed with another secret", async () => {
    const client = await TestClient.connect(dep.url);
    const bad = await signToken({ userId: "alice", deviceId: "d1" }, "wrong-secret", 60);
    client.send({ type: "hello", token: bad });
    const closed = await client.closed;
    assert.equal(closed.code, 4401);
    assert.equal(closed.reason, "token invalid");
  });

  it("should close with 4401 on an expired token", async () => {
    const client = await TestClient.connect(dep.url);
    client.send({ type: "hello", token: await token({ userId: "alice", deviceId: "d1" }, -10) });
    assert.deepEqual(await client.closed, { code: 4401, reason: "token expired" });
  });

  it("should close with 4401 on a hello without a token", async () => {
    const client = await TestClient.connect(dep.url);
    client.send({ type: "hello" });
    assert.equal((await client.closed).code, 4401);
  });

  it("should close with 4408 when no hello arrives in time", async () => {
    const client = await TestClient.connect(dep.url);
    assert.equal((await client.closed).code, 4408);
  });

  it("should close with 4400 when the first frame is not a hello", async () => {
    const client = await TestClient.connect(dep.url);
    client.send({ type: "ping", id: "p1" });
    assert.equal((await client.closed).code, 4400);
  });

  it("should close with 4400 when the first frame is not JSON", async () => {
    const client = await TestClient.connect(dep.url);
    client.send("hello?");
    assert.equal((await client.closed).code, 4400);
  });

  it("should handle frames sent right after the hello once welcomed", async () => {
    const client = await TestClient.connect(dep.url);
    client.send({ type: "hello", token: await token({ userId: "eager", deviceId: "d1" }) });
    client.send({ type: "ping", id: "early" });
    await client.next((f) => f.type === "welcome");
    assert.deepEqual(await client.next((f) => f.type === "pong"), { type: "pong", id: "early" });
    await client.close();
  });
});
