import assert from "node:assert/strict";
import { System } from "../../e2e/support/system.js";
import { TEST_TOKEN_SECRET } from "../../testkit/env.js";
import { runDemo } from "../src/demo.js";
import type { Summary } from "../src/summary.js";

describe("demo: the corpus replayed through the whole system, checked", function () {
  this.timeout(120_000);
  let system: System;
  let summary: Summary;

  before(async () => {
    system = await System.start({}, { media: true });
    summary = await runDemo({
      url: system.edgeUrl,
      tokenSecret: TEST_TOKEN_SECRET,
      users: 24,
      messages: 150,
      seed: 7,
      groupShare: 0.5,
      mediaShare: 0.1,
    });
  });

  after(async () => {
    await system?.stop();
  });

  it("should deliver every message once, in order and intact, and find it in history", () => {
    assert.deepEqual(summary.problems, []);
    assert.equal(summary.ok, true);
    const { check } = summary;
    assert.equal(check.acked, 150);
    assert.ok(check.deliveriesExpected > 150, `${check.deliveriesExpected} deliveries expected`);
    assert.equal(check.deliveries, check.deliveriesExpected);
    assert.equal(check.missing + check.duplicates + check.outOfOrder + check.mismatched, 0);
    assert.equal(check.historyMessages, 150);
  });

  it("should have replayed 1:1 and group conversations with images", () => {
    assert.equal(summary.users, 24);
    assert.ok(summary.conversations.direct > 0 && summary.conversations.group > 0);
    assert.ok(summary.messages.in_groups > 0 && summary.messages.in_groups < 150);
    assert.ok(summary.messages.with_image > 0, "some messages carry an image");
    assert.equal(summary.check.imagesDownloaded, summary.messages.with_image);
    assert.ok(summary.latency_ms.send_to_receive.max > 0);
  });
});
