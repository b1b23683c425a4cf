import { createLogger, startGrpcServer, unary, type GrpcServerHandle } from "@parley/common";
import {
  DeliveryServiceService,
  SendMessageRequest,
  type SendMessageResponse,
  type SendMessagesRequest,
} from "@parley/proto/parley/delivery/v1/delivery";
import assert from "node:assert/strict";
import { EdgeOverloaded } from "../../src/errors.js";
import { DeliveryClient } from "../../src/grpc/delivery-client.js";
import { SendSlots } from "../../src/grpc/send-slots.js";

describe("DeliveryClient", () => {
  let server: GrpcServerHandle;
  /** Answers of the sends the fake delivery holds, released by the test. */
  const held: (() => void)[] = [];

  const log = createLogger("test", "silent");

  before(async () => {
    const hold = (request: SendMessageRequest) =>
      new Promise<SendMessageResponse>((resolve) =>
        held.push(() =>
          resolve({
            messageId: request.clientMessageId,
            conversationId: "d_x",
            seq: 1,
            sentAtMs: 1,
            duplicate: false,
          }),
        ),
      );
    // Each send of a batch is held on its own, so `held` counts sends.
    const sendMessage = unary("SendMessage", log, hold);
    const sendMessages = unary("SendMessages", log, async (request: SendMessagesRequest) => ({
      results: (await Promise.all(request.sends.map(hold))).map((sent) => ({
        errorCode: "",
        errorReason: "",
        sent,
      })),
    }));
    server = await startGrpcServer(
      "127.0.0.1:0",
      [
        {
          name: "parley.delivery.v1.DeliveryService",
          definition: DeliveryServiceService,
          implementation: { sendMessage, sendMessages },
        },
      ],
      log,
    );
  });

  after(() => server?.stop(1_000));

  const heldCount = async (n: number) => {
    while (held.length < n) await new Promise((resolve) => setTimeout(resolve, 10));
  };

  it("should refuse a send past its in-flight bound at once when none may wait, and take sends again once answers come", async () => {
    const client = new DeliveryClient(`127.0.0.1:${server.port}`, 5_000, new SendSlots(2, 0), log);
    const send = (id: string) =>
      client.send(SendMessageRequest.fromPartial({ clientMessageId: id, body: "x" }));
    const first = send("a");
    const second = send("b");
    await assert.rejects(send("c"), (err: unknown) => {
      assert.ok(err instanceof EdgeOverloaded);
      assert.equal(err.code, "unavailable");
      return true;
    });
    while (held.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    for (const answer of held.splice(0)) answer();
    assert.deepEqual(
      (await Promise.all([first, second])).map((r) => r.messageId),
      ["a", "b"],
    );
    const third = send("d");
    while (held.length < 1) await new Promise((resolve) => setTimeout(resolve, 10));
    held.splice(0).forEach((answer) => answer());
    assert.equal((await third).messageId, "d");
    client.close();
  });

  it("should let sends past the bound wait their turn in order, pausing their connection, and refuse past the queue", async () => {
    const client = new DeliveryClient(`127.0.0.1:${server.port}`, 5_000, new SendSlots(1, 2), log);
    const events: string[] = [];
    const reader = (name: string) => ({
      pauseReading: () => events.push(`pause ${name}`),
      resumeReading: () => events.push(`resume ${name}`),
    });
    const send = (id: string) =>
      client.send(SendMessageRequest.fromPartial({ clientMessageId: id, body: "x" }), reader(id));
    const first = send("a");
    const second = send("b");
    const third = send("c");
    await assert.rejects(send("d"), EdgeOverloaded);
    await heldCount(1);
    // Only one call reached delivery; the two waiting paused their readers.
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(held.length, 1);
    assert.deepEqual(events, ["pause b", "pause c"]);

    held.shift()!();
    assert.equal((await first).messageId, "a");
    await heldCount(1);
    assert.deepEqual(events, ["pause b", "pause c", "resume b"]);
    held.shift()!();
    await heldCount(1);
    held.shift()!();
    assert.deepEqual(
      (await Promise.all([second, third])).map((r) => r.messageId),
      ["b", "c"],
    );
    assert.deepEqual(events, ["pause b", "pause c", "resume b", "resume c"]);
    client.close();
  });

  it("should give the slot of a failed call to the next waiting send", async () => {
    const client = new DeliveryClient("127.0.0.1:1", 300, new SendSlots(1, 1), log);
    const send = (id: string) =>
      client.send(SendMessageRequest.fromPartial({ clientMessageId: id, body: "x" }));
    const [first, second] = await Promise.allSettled([send("a"), send("b")]);
    // Nothing listens there: both fail as unavailable, the second after its turn came.
    assert.equal(first.status, "rejected");
    assert.equal(second.status, "rejected");
    assert.ok(!(second.reason instanceof EdgeOverloaded));
    client.close();
  });
});
