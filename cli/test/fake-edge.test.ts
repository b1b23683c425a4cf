import assert from "node:assert/strict";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import { parley } from "./support/parley.js";

/** An edge that says welcome and then does nothing unless a test says so. */
describe("parley against a fake edge", () => {
  let server: WebSocketServer;
  let url: string;
  const frames: Record<string, unknown>[] = [];
  /** What the fake does with each frame after hello. */
  let onFrame: (ws: WebSocket, frame: Record<string, unknown>) => void = () => {};

  before(async () => {
    server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await once(server, "listening");
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`;
    server.on("connection", (ws) => {
      ws.on("message", (data) => {
        const frame = JSON.parse(String(data)) as Record<string, unknown>;
        frames.push(frame);
        if (frame.type === "hello") ws.send(JSON.stringify({ type: "welcome", user_id: "a" }));
        else onFrame(ws, frame);
      });
    });
  });

  afterEach(() => {
    frames.length = 0;
    onFrame = () => {};
  });

  after(async () => {
    for (const ws of server.clients) ws.terminate();
    await new Promise((resolve) => server.close(resolve));
  });

  const send = (args: string[]) =>
    parley(["send", "--url", url, "--token", "t", "--to", "bob", ...args]);

  it("should exit 5 when a send gets no answer, naming the id to resend it with", async () => {
    const run = await send(["--timeout", "0.5", "hi"]);
    assert.equal(run.code, 5, run.stderr);
    const sent = frames.find((f) => f.type === "send")!;
    assert.equal(sent.body, "hi");
    assert.equal(
      run.stderr,
      `parley: timed out: an answer to send within 0.5 s; it may have been stored: resend with --id ${String(sent.id)} --retry\n`,
    );
  });

  it("should exit 5 when listen --count gets too few entries, counting them in words", async () => {
    const listen = (count: string) =>
      parley(["listen", "--url", url, "--token", "t", "--count", count, "--timeout", "0.3"]);
    const one = await listen("1");
    assert.equal(one.code, 5, one.stderr);
    assert.equal(one.stderr, "parley: timed out: receiving 1 entry (0 arrived) within 0.3 s\n");
    const two = await listen("2");
    assert.equal(two.stderr, "parley: timed out: receiving 2 entries (0 arrived) within 0.3 s\n");
  });

  it("should exit 3 when the server closes the connection, with its code and reason", async () => {
    onFrame = (ws) => ws.close(1001, "server shutting down");
    const run = await send(["--id", "s-1", "hi"]);
    assert.equal(run.code, 3, run.stderr);
    assert.match(
      run.stderr,
      /^parley: connection closed: 1001 server shutting down; .+--id s-1 --retry\n$/,
    );
  });

  it("should exit 4 when the device may not connect (4403)", async () => {
    onFrame = (ws) => ws.close(4403, "device unlinked");
    const run = await send(["hi"]);
    assert.equal(run.code, 4, run.stderr);
  });

  it("should exit 3 when a frame is not JSON", async () => {
    onFrame = (ws) => ws.send("{not json");
    const run = await send(["hi"]);
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /^parley: the server sent a frame that is not JSON\n$/);
  });
});
