import assert from "node:assert/strict";
import { EdgeDeployment } from "./support/deployment.js";
import type { TestClient } from "./support/ws-client.js";

/** The socket still answers: a failed request did not end the connection. */
async function assertAlive(client: TestClient): Promise<void> {
  const pong = await client.request({ type: "ping", id: "alive" });
  assert.equal(pong.type, "pong");
}

describe("svc-edge request frames", () => {
  let dep: EdgeDeployment;
  let client: TestClient;

  before(async () => {
    dep = await EdgeDeployment.start({
      EDGE_MAX_BODY_BYTES: "100",
      EDGE_MAX_FRAME_BYTES: "2048",
      EDGE_SENDS_PER_SECOND: "1",
      EDGE_SEND_BURST: "3",
      // Nothing listens here: sends fail fast as unavailable.
      DELIVERY_ADDRESS: "127.0.0.1:1",
    });
  });
  after(async () => dep?.stop());
  beforeEach(async () => {
    client = await dep.open("frames", "d1");
  });
  afterEach(async () => client?.close());

  it("should answer ping with pong, echoing the id", async () => {
    assert.deepEqual(await client.request({ type: "ping", id: "p1" }), { type: "pong", id: "p1" });
    client.send({ type: "ping" });
    assert.deepEqual(await client.next((f) => f.type === "pong"), { type: "pong" });
  });

  it("should answer malformed JSON with an error frame and stay open", async () => {
    client.send("{not json");
    const error = await client.next((f) => f.type === "error");
    assert.equal(error.code, "invalid_argument");
    assert.match(String(error.reason), /not valid JSON/);
    await assertAlive(client);
  });

  it("should answer an unknown frame type with an error frame carrying its id", async () => {
    const error = await client.request({ type: "dance", id: "x1" });
    assert.equal(error.type, "error");
    assert.equal(error.code, "invalid_argument");
    assert.match(String(error.reason), /unknown frame type/);
    await assertAlive(client);
  });

  it("should answer a frame without a type with an error frame saying so", async () => {
    const error = await client.request({ id: "t1" });
    assert.equal(error.code, "invalid_argument");
    assert.equal(error.reason, "frame has no type");
    await assertAlive(client);
  });

  it("should refuse a body with a lone surrogate or a NUL, naming the body", async () => {
    // Escaped in the JSON text, as a client would send them.
    client.send('{"type":"send","id":"sur","to":"bob","body":"a\\ud800b"}');
    const surrogate = await client.next((f) => f.id === "sur");
    assert.equal(surrogate.code, "invalid_argument");
    assert.match(String(surrogate.reason), /^body .*surrogate/);
    client.send('{"type":"send","id":"nul","to":"bob","body":"a\\u0000b"}');
    const nul = await client.next((f) => f.id === "nul");
    assert.equal(nul.code, "invalid_argument");
    assert.match(String(nul.reason), /^body .*NUL/);
    await assertAlive(client);
  });

  it("should answer a send with missing or ill-typed fields with an error frame", async () => {
    const noTo = await client.request({ type: "send", id: "s1", body: "hi" });
    assert.equal(noTo.code, "invalid_argument");
    assert.match(String(noTo.reason), /^to /);
    const badBody = await client.request({ type: "send", id: "s2", to: "bob", body: 42 });
    assert.match(String(badBody.reason), /body/);
    client.send({ type: "send", to: "bob", body: "no id" });
    const noId = await client.next((f) => f.type === "error");
    assert.match(String(noId.reason), /^id /);
    await assertAlive(client);
  });

  it("should refuse a body over the limit with an error frame", async () => {
    const error = await client.request({
      type: "send",
      id: "big",
      to: "bob",
      body: "x".repeat(101),
    });
    assert.equal(error.code, "invalid_argument");
    assert.match(String(error.reason), /over the 100 limit/);
    await assertAlive(client);
  });

  it("should refuse a malformed ack and an ack beyond what was delivered", async () => {
    client.send({ type: "ack", inbox_seq: -1 });
    assert.match(String((await client.next((f) => f.type === "error")).reason), /inbox_seq/);
    client.send({ type: "ack", inbox_seq: 1_000_000 });
    assert.match(String((await client.next((f) => f.type === "error")).reason), /beyond/);
    await assertAlive(client);
  });

  it("should refuse a history request with both cursors", async () => {
    const error = await client.request({
      type: "history",
      id: "h1",
      conversation_id: "d_abc",
      before_seq: 5,
      after_seq: 1,
    });
    assert.equal(error.code, "invalid_argument");
  });

  it("should answer unavailable when delivery cannot be reached, then rate_limited", async () => {
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const answer = await client.request({ type: "send", id: `r${i}`, to: "bob", body: "hi" });
      codes.push(String(answer.code));
    }
    assert.equal(codes[0], "unavailable");
    assert.ok(codes.includes("rate_limited"), codes.join(","));
    await assertAlive(client);
  });

  it("should rate limit a client that sends garbage, then close it with 4429", async () => {
    for (let i = 0; i < 20; i++) client.send("{not json");
    const closed = await client.closed;
    const codes = client.frames.filter((f) => f.type === "error").map((f) => f.code);
    // Burst 3: three answers, then six refusals (twice the burst), then the close.
    assert.deepEqual(codes.slice(0, 3), [
      "invalid_argument",
      "invalid_argument",
      "invalid_argument",
    ]);
    assert.ok(codes.slice(3).every((c) => c === "rate_limited") && codes.length < 20, codes.join());
    assert.deepEqual(closed, { code: 4429, reason: "too many refused requests" });
  });

  it("should close with 1009 on a frame over the size limit", async () => {
    client.send({ type: "ping", id: "x".repeat(4096) });
    // ws closes before it reads the frame: there is no reason to send.
    assert.deepEqual(await client.closed, { code: 1009, reason: "" });
  });
});
