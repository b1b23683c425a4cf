import { DiscardPolicy, jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { connect, headers as natsHeaders, type NatsConnection } from "@nats-io/transport-node";
import assert from "node:assert/strict";
import { StreamPublisher, StreamPublishError } from "../src/index.js";
import { TEST_NATS_URL, uniqueNamespace } from "../../testkit/env.js";

describe("common StreamPublisher", () => {
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let stream: string;
  let publisher: StreamPublisher;
  const data = new TextEncoder().encode("hello");

  beforeEach(async () => {
    stream = `SP_${uniqueNamespace()}`;
    nc = await connect({ servers: TEST_NATS_URL });
    jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: stream, subjects: [`${stream}.>`], duplicate_window: 60e9 });
    publisher = new StreamPublisher(nc, 1_000);
  });

  afterEach(async () => {
    publisher.close();
    await jsm.streams.delete(stream).catch(() => {});
    await nc.close();
  });

  it("should resolve each publish with its own sequence, many at once", async () => {
    const acks = await Promise.all(
      Array.from({ length: 500 }, (_, i) => publisher.publish(`${stream}.s${i % 7}`, data)),
    );
    assert.deepEqual(
      acks.map((a) => a.seq).sort((a, b) => a - b),
      Array.from({ length: 500 }, (_, i) => i + 1),
    );
    assert.ok(acks.every((a) => a.stream === stream && !a.duplicate));
    const stored = await jsm.streams.getMessage(stream, { seq: 42 });
    assert.deepEqual(stored!.data, data);
  });

  it("should store a message id once and answer a repeat as a duplicate of the first", async () => {
    const headers = natsHeaders();
    headers.set("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    const first = await publisher.publish(`${stream}.a`, data, { msgID: "m-1", headers });
    const again = await publisher.publish(`${stream}.a`, data, { msgID: "m-1" });
    assert.deepEqual([again.seq, again.duplicate], [first.seq, true]);
    assert.equal((await jsm.streams.info(stream)).state.messages, 1);
    const stored = await jsm.streams.getMessage(stream, { seq: first.seq });
    assert.equal(stored!.header.get("Nats-Msg-Id"), "m-1");
    assert.match(stored!.header.get("traceparent"), /^00-0af7/);
  });

  it("should fail at once when no stream takes the subject", async () => {
    const started = Date.now();
    await assert.rejects(publisher.publish(`nostream.${stream}`, data), StreamPublishError);
    assert.ok(Date.now() - started < 500, "refused by the server, not timed out");
  });

  it("should fail a publish that gets no ack within the timeout", async () => {
    // A core subscriber takes the subject but never answers.
    const silent = `silent.${stream}`;
    const sub = nc.subscribe(silent);
    await nc.flush();
    const short = new StreamPublisher(nc, 200);
    try {
      await assert.rejects(short.publish(silent, data), /no ack within 200 ms/);
    } finally {
      short.close();
      sub.unsubscribe();
    }
  });

  it("should report a refusal by the stream with its reason", async () => {
    await jsm.streams.update(stream, {
      subjects: [`${stream}.>`],
      max_msgs: 1,
      discard: DiscardPolicy.New,
    });
    await publisher.publish(`${stream}.x`, data);
    await assert.rejects(
      publisher.publish(`${stream}.y`, data),
      /publish refused: .*maximum messages/i,
    );
  });

  it("should fail what is still waiting when closed", async () => {
    const silent = `silent2.${stream}`;
    const sub = nc.subscribe(silent);
    await nc.flush();
    const closing = new StreamPublisher(nc, 10_000);
    const pending = closing.publish(silent, data);
    await new Promise((resolve) => setTimeout(resolve, 50));
    closing.close();
    await assert.rejects(pending, /closed/);
    sub.unsubscribe();
  });
});
