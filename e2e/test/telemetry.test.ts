import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { Topology } from "@parley/common";
import assert from "node:assert/strict";
import { TEST_NATS_URL } from "../../testkit/env.js";
import { eventually } from "../../testkit/eventually.js";
import { OtlpReceiver, type ReceivedSpan } from "../../testkit/otlp-receiver.js";
import { Clients, ok } from "../support/clients.js";
import { System } from "../support/system.js";

describe("e2e telemetry: one trace per message, metrics for Prometheus", function () {
  this.timeout(60_000);
  let system: System;
  let receiver: OtlpReceiver;
  const clients = new Clients(() => system.edgeUrl);

  before(async () => {
    receiver = await OtlpReceiver.start();
    system = await System.start(
      {
        OTEL_TRACES_EXPORTER: "otlp",
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        OTEL_TRACES_SAMPLER: "always_on",
        OTEL_BSP_SCHEDULE_DELAY: "100",
        // Debug: history logs each batch it writes, within the entries' trace.
        LOG_LEVEL: "debug",
      },
      { metrics: true },
    );
  });

  afterEach(() => clients.closeAll());

  after(async () => {
    await system?.stop();
    await receiver?.stop();
  });

  it("should trace a message from the sender's edge through delivery, fanout and history to the recipient's push", async () => {
    const [alice, aliceTablet, bob] = await Promise.all([
      clients.open("t-alice"),
      clients.open("t-alice", "tablet"),
      clients.open("t-bob"),
    ]);
    await ok(alice, { type: "send", id: "traced-1", to: "t-bob", body: "follow me" });
    await Promise.all([bob.messages(1), aliceTablet.messages(1)]);

    const find = (spans: ReceivedSpan[], service: string, name: string | RegExp) =>
      spans.filter(
        (s) =>
          s.service === service && (typeof name === "string" ? s.name === name : name.test(s.name)),
      );
    let trace: ReceivedSpan[] = [];
    await eventually(
      () => {
        const send = find(receiver.spans, "svc-edge", "send")[0];
        trace = send ? receiver.trace(send.traceId) : [];
        // The recipient's push and the sender's other device's: two pushes.
        return (
          find(trace, "svc-edge", "push").length >= 2 &&
          find(trace, "svc-history", "history store").length === 1
        );
      },
      20_000,
      () => `a whole trace (have ${trace.map((s) => `${s.service}:${s.name}`).join(", ")})`,
    );

    const one = (service: string, name: string | RegExp) => {
      const found = find(trace, service, name);
      assert.equal(found.length, 1, `one ${service} ${String(name)} span`);
      return found[0]!;
    };
    const parentOf = (span: ReceivedSpan) => trace.find((s) => s.spanId === span.parentSpanId);
    const send = one("svc-edge", "send");
    const call = one("svc-edge", /DeliveryService\/SendMessage/);
    const serve = one("svc-delivery", /DeliveryService\/SendMessage/);
    const publish = one("svc-delivery", /^publish .*_MESSAGES$/);
    const fanout = one("svc-delivery", "fanout");
    const store = one("svc-history", "history store");
    const pushes = find(trace, "svc-edge", "push");

    assert.equal(send.parentSpanId, "", "the send starts the trace");
    assert.equal(parentOf(call), send);
    assert.equal(parentOf(serve), call);
    assert.equal(parentOf(publish), serve);
    assert.equal(parentOf(fanout), publish, "fanout continues from the log entry's headers");
    assert.equal(parentOf(store), publish, "history continues from the log entry's headers");
    for (const push of pushes)
      assert.equal(parentOf(push), fanout, "pushes follow the inbox entry");
    assert.ok(
      trace.some(
        (s) => s.service === "svc-history" && /INSERT/i.test(s.name) && parentOf(s) === store,
      ),
      "the batch's insert is in the trace",
    );
    const batchLog = system
      .service("history")!
      .logs.find((l) => l.msg === "batch written" && l.trace_id === send.traceId);
    assert.ok(batchLog, "the log line of the batch carries the trace id");
    assert.equal(batchLog.span_id, store.spanId);
  });

  it("should expose the named series with values that match the traffic", async () => {
    const [alice, bob] = await Promise.all([clients.open("m-alice"), clients.open("m-bob")]);
    for (let i = 0; i < 3; i++) {
      await ok(alice, { type: "send", id: `m-${i}`, to: "m-bob", body: `hello ${i}` });
    }
    const messages = await bob.messages(3);
    bob.send({ type: "ack", inbox_seq: messages.at(-1)!.inbox_seq });
    const refused = await alice.request({ type: "send", id: "bad", to: "m-alice", body: "me" });
    assert.equal(refused.type, "error");

    const scrape = async (name: "edge" | "delivery" | "history") => {
      const response = await fetch(system.metricsUrl(name));
      assert.equal(response.status, 200);
      return response.text();
    };
    /** The sum of a series' samples whose labels include `labels`. */
    const value = (text: string, series: string, labels: string[] = []) =>
      text
        .split("\n")
        .filter((line) => line.startsWith(`${series}{`) || line.startsWith(`${series} `))
        .filter((line) => labels.every((l) => line.includes(l)))
        .reduce((sum, line) => sum + Number(line.split(" ").at(-1)), 0);

    await eventually(
      async () => value(await scrape("edge"), "parley_delivery_latency_count") >= 3,
      10_000,
      "delivery latency recorded for the acked messages",
    );
    const edge = await scrape("edge");
    assert.equal(value(edge, "parley_edge_connections"), 2);
    assert.ok(value(edge, "parley_edge_connects_total") >= 2);
    assert.ok(value(edge, "parley_edge_sends_total", ['result="accepted"']) >= 3);
    assert.ok(
      value(edge, "parley_edge_sends_total", ['result="refused"', 'reason="invalid_argument"']) >=
        1,
    );
    assert.ok(value(edge, "parley_edge_frames_in_total", ['type="send"']) >= 4);
    assert.ok(value(edge, "parley_edge_frames_out_total", ['type="message"']) >= 3);
    assert.ok(value(edge, "parley_edge_catchup_entries_count") >= 2);
    assert.ok(value(edge, "nodejs_eventloop_delay_p99") > 0, "event-loop delay");

    const delivery = await scrape("delivery");
    assert.ok(value(delivery, "parley_fanout_writes_total") >= 6, "a write per member per message");
    assert.ok(value(delivery, "parley_delivery_sends_total", ['result="accepted"']) >= 3);
    assert.ok(value(delivery, "rpc_server_duration_count", ['rpc_method="SendMessage"']) >= 4);
    assert.ok(delivery.includes("parley_jetstream_consumer_pending{"), "fanout backlog");

    // History stores in batches, a little after delivery.
    await eventually(
      async () => value(await scrape("history"), "parley_history_stored_total") >= 3,
      10_000,
      "the three messages counted as stored",
    );
    const history = await scrape("history");
    assert.ok(value(history, "parley_history_batch_size_count") >= 1);
    assert.ok(value(history, "parley_history_write_duration_count") >= 1);
    assert.ok(history.includes("parley_jetstream_consumer_ack_pending{"), "history backlog");
  });
});

describe("e2e telemetry: an unsampled message costs no span and no header", function () {
  this.timeout(60_000);
  let system: System;
  let receiver: OtlpReceiver;
  const clients = new Clients(() => system.edgeUrl);

  before(async () => {
    receiver = await OtlpReceiver.start();
    system = await System.start({
      OTEL_TRACES_EXPORTER: "otlp",
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      // The default sampler, at a ratio that samples nothing.
      OTEL_TRACES_SAMPLER_ARG: "0",
      OTEL_BSP_SCHEDULE_DELAY: "100",
    });
  });

  afterEach(() => clients.closeAll());

  after(async () => {
    await system?.stop();
    await receiver?.stop();
  });

  it("should deliver it with no traceparent in its inbox entry and export no span of it", async () => {
    const [alice, bob] = await Promise.all([clients.open("u-alice"), clients.open("u-bob")]);
    await ok(alice, { type: "send", id: "untraced-1", to: "u-bob", body: "not followed" });
    await bob.messages(1);

    const nc = await connect({ servers: TEST_NATS_URL });
    try {
      // Only its names are used here; the limits do not matter.
      const topology = new Topology({
        namespace: system.namespace,
        partitions: 4,
        replicas: 1,
        sendDedupWindowMs: 60_000,
        inboxMaxAgeMs: 600_000,
      });
      const jsm = await jetstreamManager(nc);
      const entry = await jsm.streams.getMessage(topology.inboxStream, {
        last_by_subj: topology.inboxSubject("u-bob"),
      });
      assert.ok(entry, "bob's inbox entry");
      assert.equal(entry.header?.get("traceparent") ?? "", "", "no trace context travels");
    } finally {
      await nc.close();
    }
    // Past two export intervals: anything recorded would have arrived.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const ours = receiver.spans.filter((s) =>
      /send|fanout|push|history store|publish/.test(s.name),
    );
    assert.deepEqual(ours, [], "no span of the message was exported");
  });
});
