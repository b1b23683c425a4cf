import assert from "node:assert/strict";
import { once } from "node:events";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { TurnCork } from "../../src/ws/turn-cork.js";

describe("TurnCork", () => {
  let server: Server;
  let client: Socket;
  let accepted: Socket;

  beforeEach(async () => {
    server = createServer();
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const port = (server.address() as { port: number }).port;
    const connection = once(server, "connection");
    client = createConnection(port, "127.0.0.1");
    [accepted] = (await connection) as [Socket];
    await once(client, "connect");
  });

  afterEach(() => {
    client.destroy();
    accepted.destroy();
    server.close();
  });

  it("should send a turn's writes to one socket together, once the turn ends", async () => {
    const cork = new TurnCork();
    const chunks: string[] = [];
    accepted.on("data", (chunk: Buffer) => chunks.push(chunk.toString()));
    for (const frame of ["one ", "two ", "three"]) {
      cork.hold(client);
      client.write(frame);
    }
    // Held once however many writes: nothing has left yet.
    assert.equal(client.writableCorked, 1);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(client.writableCorked, 0);
    while (chunks.join("").length < "one two three".length) await once(accepted, "data");
    // One system call: the peer reads the three frames as one chunk.
    assert.deepEqual(chunks, ["one two three"]);
  });

  it("should hold a socket again in a later turn", async () => {
    const cork = new TurnCork();
    cork.hold(client);
    await new Promise((resolve) => setImmediate(resolve));
    cork.hold(client);
    assert.equal(client.writableCorked, 1);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(client.writableCorked, 0);
  });

  it("should let a socket that ends while held send what it holds", async () => {
    const cork = new TurnCork();
    const received: Buffer[] = [];
    accepted.on("data", (chunk: Buffer) => received.push(chunk));
    cork.hold(client);
    client.end("last words");
    await once(accepted, "end");
    assert.equal(Buffer.concat(received).toString(), "last words");
    await new Promise((resolve) => setImmediate(resolve));
  });

  it("should let a socket's writes go at once when released within the turn", async () => {
    const cork = new TurnCork();
    cork.hold(client);
    client.write("early");
    assert.equal(client.writableLength, 5);
    cork.release(client);
    // The kernel took it: nothing is left queued in the process.
    assert.equal(client.writableCorked, 0);
    assert.equal(client.writableLength, 0);
    // Released sockets are not uncorked again at the end of the turn.
    client.cork();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(client.writableCorked, 1);
    client.uncork();
  });
});
