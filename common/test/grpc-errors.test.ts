import {
  DeliveryServiceClient,
  DeliveryServiceService,
  type SendMessageRequest,
  type SendMessageResponse,
} from "@parley/proto/parley/delivery/v1/delivery";
import assert from "node:assert/strict";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import {
  callUnary,
  createClient,
  createLogger,
  ParleyError,
  startGrpcServer,
  unary,
  type GrpcServerHandle,
} from "../src/index.js";
import { freePort } from "../../testkit/ports.js";

const log = createLogger("test", "silent");
const request = {
  senderId: "a",
  senderDeviceId: "d",
  clientMessageId: "c",
  recipientId: "b",
  body: "x",
  retry: false,
  conversationId: "",
  mediaId: "",
};

describe("common gRPC errors", () => {
  let server: GrpcServerHandle;
  let client: DeliveryServiceClient;
  /** What the fake SendMessage does, per test. */
  let behaviour: () => Promise<SendMessageResponse>;

  const send = (deadlineMs = 2_000) =>
    callUnary<SendMessageRequest, SendMessageResponse>(
      client,
      client.sendMessage,
      request,
      deadlineMs,
    );
  const rejectsWith = (promise: Promise<unknown>, code: string, reason: RegExp) =>
    assert.rejects(promise, (err: ParleyError) => {
      assert.equal(err.code, code);
      assert.match(err.message, reason);
      return true;
    });

  before(async () => {
    server = await startGrpcServer(
      "127.0.0.1:0",
      [
        {
          name: "parley.delivery.v1.DeliveryService",
          definition: DeliveryServiceService,
          implementation: { sendMessage: unary("SendMessage", log, () => behaviour()) },
        },
      ],
      log,
    );
    client = createClient(DeliveryServiceClient, `127.0.0.1:${server.port}`);
  });

  after(async () => {
    client?.close();
    await server?.stop(1_000);
  });

  it("should pass on the code and reason a handler chose", async () => {
    behaviour = async () => {
      throw ParleyError.invalid("recipient_id is malformed");
    };
    await rejectsWith(send(), "invalid_argument", /^recipient_id is malformed$/);
  });

  it("should hide the detail of a handler's unexpected failure", async () => {
    behaviour = async () => {
      throw new Error("connection string postgres://secret@db");
    };
    await rejectsWith(send(), "internal", /^internal error$/);
  });

  it("should report a missed deadline as unavailable, without transport detail", async () => {
    behaviour = async () => {
      await sleep(500);
      throw ParleyError.invalid("too late to matter");
    };
    await rejectsWith(send(100), "unavailable", /did not answer in time/);
  });

  it("should report a service nobody answers for as unavailable", async () => {
    const nowhere = createClient(DeliveryServiceClient, `127.0.0.1:${await freePort()}`);
    await rejectsWith(
      callUnary<SendMessageRequest, SendMessageResponse>(
        nowhere,
        nowhere.sendMessage,
        request,
        1_000,
      ),
      "unavailable",
      /retry/,
    );
    nowhere.close();
  });

  it("should report a stream the transport reset as unavailable: the callee may have acted", async () => {
    // A peer that resets every stream with INTERNAL_ERROR, as an HTTP/2
    // session torn down under load does to the calls on it.
    const resetting = http2.createServer();
    resetting.on("stream", (stream) => {
      stream.on("error", () => {}); // the reset itself, on this side
      stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
    });
    await new Promise<void>((resolve) => resetting.listen(0, "127.0.0.1", resolve));
    const port = (resetting.address() as AddressInfo).port;
    const reset = createClient(DeliveryServiceClient, `127.0.0.1:${port}`);
    try {
      await rejectsWith(
        callUnary<SendMessageRequest, SendMessageResponse>(
          reset,
          reset.sendMessage,
          request,
          2_000,
        ),
        "unavailable",
        /retry/,
      );
    } finally {
      reset.close();
      resetting.close();
    }
  });
  it("should keep an INTERNAL status no handler chose, other than a reset stream, internal", async () => {
    // What a server answers when it cannot decode the request: fails the
    // same way every time, so it must not read as "retry".
    const refusing = http2.createServer();
    refusing.on("stream", (stream) => {
      stream.respond(
        {
          ":status": 200,
          "content-type": "application/grpc",
          "grpc-status": "13",
          "grpc-message": "Error deserializing request",
        },
        { endStream: true },
      );
    });
    await new Promise<void>((resolve) => refusing.listen(0, "127.0.0.1", resolve));
    const port = (refusing.address() as AddressInfo).port;
    const peer = createClient(DeliveryServiceClient, `127.0.0.1:${port}`);
    try {
      await rejectsWith(
        callUnary<SendMessageRequest, SendMessageResponse>(peer, peer.sendMessage, request, 2_000),
        "internal",
        /^internal error$/,
      );
    } finally {
      peer.close();
      refusing.close();
    }
  });
});
