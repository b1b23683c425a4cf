import { createLogger, startGrpcServer, unary, type GrpcServerHandle } from "@parley/common";
import {
  DeliveryServiceService,
  SendMessageRequest,
  type SendMessageResponse,
} from "@parley/proto/parley/delivery/v1/delivery";
import assert from "node:assert/strict";
import { EdgeOverloaded } from "../../src/errors.js";
import { DeliveryClient } from "../../src/grpc/delivery-client.js";

describe("DeliveryClient", () => {
  let server: GrpcServerHandle;
  /** Answers of the sends the fake delivery holds, released by the test. */
  const held: (() => void)[] = [];

  before(async () => {
    const log = createLogger("test", "silent");
    const sendMessage = unary(
      "SendMessage",
      log,
      (request: SendMessageRequest) =>
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
        ),
    );
    server = await startGrpcServer(
      "127.0.0.1:0",
      [
        {
          name: "parley.delivery.v1.DeliveryService",
          definition: DeliveryServiceService,
          implementation: { sendMessage },
        },
      ],
      log,
    );
  });

  after(() => server?.stop(1_000));

  it("should refuse a send past its in-flight bound at once, and take sends again once answers come", async () => {
    const client = new DeliveryClient(`127.0.0.1:${server.port}`, 5_000, 2);
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
});
