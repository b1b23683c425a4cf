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
    calls.push(`one ${request.clientMessageId}`);
    return answer(request);
  });
  const sendMessages = unary(
    "SendMessages",
    log,
    async (request: SendMessagesRequest): Promise<SendMessagesResponse> => {
      calls.push(`many ${request.sends.length}`);
      const answered = request.sends.some((s) => s.body === "truncate")
        ? request.sends.slice(0, -1)
        : request.sends;
      return {
        results: answered.map((send) => {
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

const request = (id: string, body = "x", fields: Partial<SendMessageRequest> = {}) =>
  SendMessageRequest.fromPartial({ clientMessageId: id, body, ...fields });

describe("SendBatches", () => {
  const servers: GrpcServerHandle[] = [];
  const clients: DeliveryServiceClient[] = [];

  const batchesOn = async (withBatches: boolean, calls: string[]) => {
    const server = await fakeDelivery(withBatches, calls);
    servers.push(server);
    const client = createClient(DeliveryServiceClient, `127.0.0.1:${server.port}`);
    clients.push(client);
    return new SendBatches(client, 5_000, log);
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

  it("should split a turn's sends into calls of at most 256 sends and 1 MiB of bodies", async () => {
    const calls: string[] = [];
    const batches = await batchesOn(true, calls);
    const sends = Array.from({ length: 600 }, (_, i) => batches.send(request(`s${i}`)));
    const answers = await Promise.all(sends);
    assert.deepEqual(calls, ["many 256", "many 256", "many 88"]);
    assert.equal(answers[599]!.messageId, "m-s599");

    calls.length = 0;
    const big = "é".repeat(150_000); // 300,000 bytes: three fit in 1 MiB, not four
    await Promise.all(Array.from({ length: 4 }, (_, i) => batches.send(request(`b${i}`, big))));
    assert.deepEqual(calls, ["many 3", "many 1"]);
  });

  it("should send a retry or a send with media in a call of its own, in its turn's order", async () => {
    const calls: string[] = [];
    const batches = await batchesOn(true, calls);
    const answers = await Promise.all([
      batches.send(request("a1")),
      batches.send(request("a2")),
      batches.send(request("r3", "x", { retry: true })),
      batches.send(request("a4")),
      batches.send(request("m5", "x", { mediaId: "media-1" })),
    ]);
    assert.deepEqual(
      answers.map((a) => a.messageId),
      ["m-a1", "m-a2", "m-r3", "m-a4", "m-m5"],
    );
    assert.deepEqual(calls, ["many 2", "one r3", "many 1", "one m5"]);
  });

  it("should tell a send svc-delivery answered no result for to retry", async () => {
    const batches = await batchesOn(true, []);
    const [first, last] = await Promise.allSettled([
      batches.send(request("t1", "truncate")),
      batches.send(request("t2")),
    ]);
    assert.equal(first.status, "fulfilled");
    assert.equal(last.status, "rejected");
    assert.equal((last.reason as ParleyError).code, "unavailable");
  });

  it("should send one call each to a delivery service without SendMessages", async () => {
    const calls: string[] = [];
    const batches = await batchesOn(false, calls);
    const first = await Promise.all([batches.send(request("a")), batches.send(request("b"))]);
    assert.deepEqual(
      first.map((a) => a.messageId),
      ["m-a", "m-b"],
    );
    // The batch call was refused once; for a while every send is a call of its own.
    assert.deepEqual(calls, ["one a", "one b"]);
    await assert.rejects(batches.send(request("c", "bad")), /body is bad/);
    assert.deepEqual(calls, ["one a", "one b", "one c"]);
  });

  it("should fail every send of a call that fails as a whole as retryable", async () => {
    const client = createClient(DeliveryServiceClient, "127.0.0.1:1");
    clients.push(client);
    const batches = new SendBatches(client, 300, log);
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
