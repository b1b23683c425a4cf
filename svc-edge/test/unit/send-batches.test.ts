import type { UntypedServiceImplementation } from "@grpc/grpc-js";
import {
  createClient,
  createLogger,
  ParleyError,
  startGrpcServer,
  unary,
  type GrpcServerHandle,
} from "@parley/common";
import {
  DeliveryServiceClient,
  DeliveryServiceService,
  SendMessageRequest,
  type SendMessageResponse,
  type SendMessagesRequest,
  type SendMessagesResponse,
} from "@parley/proto/parley/delivery/v1/delivery";
import assert from "node:assert/strict";
import { SendBatches } from "../../src/grpc/send-batches.js";

const log = createLogger("test", "silent");

/** What the fake delivery answers: a body of "bad" is refused. */
function answer(request: SendMessageRequest): SendMessageResponse {
  if (request.body === "bad") throw ParleyError.invalid("body is bad");
  return {
    messageId: `m-${request.clientMessageId}`,
    conversationId: "d_x",
    seq: 1,
    sentAtMs: 1,
    duplicate: false,
  };
}

async function fakeDelivery(withBatches: boolean, calls: string[]): Promise<GrpcServerHandle> {
  const sendMessage = unary("SendMessage", log, async (request: SendMessageRequest) => {
    calls.push("one");
    return answer(request);
  });
  const sendMessages = unary(
    "SendMessages",
    log,
    async (request: SendMessagesRequest): Promise<SendMessagesResponse> => {
      calls.push(`many ${request.sends.length}`);
      return {
        results: request.sends.map((send) => {
          try {
            return { errorCode: "", errorReason: "", sent: answer(send) };
          } catch (err) {
            const refused = err as ParleyError;
            return { errorCode: refused.code, errorReason: refused.message, sent: undefined };
          }
        }),
      };
    },
  );
  const implementation: UntypedServiceImplementation = withBatches
    ? { sendMessage, sendMessages }
    : { sendMessage };
  return startGrpcServer(
    "127.0.0.1:0",
    [
      {
        name: "parley.delivery.v1.DeliveryService",
        definition: DeliveryServiceService,
        implementation,
      },
    ],
    log,
  );
}

const request = (id: string, body = "x") =>
  SendMessageRequest.fromPartial({ clientMessageId: id, body });

describe("SendBatches", () => {
  const servers: GrpcServerHandle[] = [];
  const clients: DeliveryServiceClient[] = [];

  const batchesOn = async (withBatches: boolean, calls: string[]) => {
    const server = await fakeDelivery(withBatches, calls);
    servers.push(server);
    const client = createClient(DeliveryServiceClient, `127.0.0.1:${server.port}`);
    clients.push(client);
    return new SendBatches(client, 5_000);
  };

  after(async () => {
    for (const client of clients) client.close();
    await Promise.all(servers.map((server) => server.stop(1_000)));
  });

  it("should carry the sends of one event-loop turn in one call, each getting its own answer", async () => {
    const calls: string[] = [];
    const batches = await batchesOn(true, calls);
    const answers = await Promise.allSettled([
      batches.send(request("a")),
      batches.send(request("b", "bad")),
      batches.send(request("c")),
    ]);
    assert.deepEqual(calls, ["many 3"]);
    assert.deepEqual(
      answers.map((a) => (a.status === "fulfilled" ? a.value.messageId : a.status)),
      ["m-a", "rejected", "m-c"],
    );
    const refused = (answers[1] as PromiseRejectedResult).reason;
    assert.ok(refused instanceof ParleyError);
    assert.equal(refused.code, "invalid_argument");
    assert.equal(refused.message, "body is bad");
  });

  it("should split a turn's sends into calls of at most 256", async () => {
    const calls: string[] = [];
    const batches = await batchesOn(true, calls);
    const sends = Array.from({ length: 600 }, (_, i) => batches.send(request(`s${i}`)));
    const answers = await Promise.all(sends);
    assert.deepEqual(calls, ["many 256", "many 256", "many 88"]);
    assert.equal(answers[599]!.messageId, "m-s599");
  });

  it("should send one call each to a delivery service without SendMessages", async () => {
    const calls: string[] = [];
    const batches = await batchesOn(false, calls);
    const first = await Promise.all([batches.send(request("a")), batches.send(request("b"))]);
    assert.deepEqual(
      first.map((a) => a.messageId),
      ["m-a", "m-b"],
    );
    // The batch call was refused once; from then on every send is a call of its own.
    assert.deepEqual(calls, ["one", "one"]);
    await assert.rejects(batches.send(request("c", "bad")), /body is bad/);
    assert.deepEqual(calls, ["one", "one", "one"]);
  });

  it("should fail every send of a call that fails as a whole as retryable", async () => {
    const client = createClient(DeliveryServiceClient, "127.0.0.1:1");
    clients.push(client);
    const batches = new SendBatches(client, 300);
    const answers = await Promise.allSettled([
      batches.send(request("a")),
      batches.send(request("b")),
    ]);
    for (const a of answers) {
      assert.equal(a.status, "rejected");
      assert.equal((a.reason as ParleyError).code, "unavailable");
    }
  });
});
