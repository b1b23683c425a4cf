import assert from "node:assert/strict";
import * as hdr from "hdr-histogram-js";
import { check } from "../src/check.js";
import type { Received } from "../src/client.js";
import { parseCookies, splitShort } from "../src/corpus.js";
import type { Plan } from "../src/plan.js";
import type { Replay } from "../src/replay.js";

const plan: Plan = {
  users: ["a", "b", "c"],
  conversations: [
    { kind: "direct", members: ["a", "b"], creator: "a", messages: [0, 1, 3] },
    { kind: "group", members: ["a", "b", "c"], creator: "a", title: "g", messages: [2] },
  ],
  messages: [
    { index: 0, clientId: "m0", conversation: 0, from: "a", body: "hi 👋🏽", image: false },
    { index: 1, clientId: "m1", conversation: 0, from: "b", body: "yo 🏴󠁧󠁢󠁳󠁣󠁴󠁿", image: false },
    { index: 2, clientId: "m2", conversation: 1, from: "c", body: "all: ありがとう", image: false },
    { index: 3, clientId: "m3", conversation: 0, from: "b", body: "again", image: false },
  ],
};
const conversationIds = ["d_1", "g_1"];

function delivered(index: number): Received {
  const m = plan.messages[index]!;
  return {
    id: `s${index}`,
    conversationId: conversationIds[m.conversation]!,
    seq: 10 + index,
    from: m.from,
    clientId: m.clientId,
    body: m.body,
    mediaSha256: undefined,
    at: 0n,
  };
}

function cleanRun(): Replay {
  const histogram = () => hdr.build();
  return {
    acked: plan.messages.map((m) => ({
      messageId: `s${m.index}`,
      conversationId: conversationIds[m.conversation]!,
      seq: 10 + m.index,
    })),
    refused: new Map(),
    conversationIds,
    // Each user's one device gets what the others sent, not its own sends.
    received: new Map([
      ["a", [delivered(1), delivered(2), delivered(3)]],
      ["b", [delivered(0), delivered(2)]],
      ["c", []],
    ]),
    images: new Map(),
    mediaIds: new Map(),
    downloads: new Map(),
    history: [0, 1].map((c) => ({
      conversation: c,
      reader: "a",
      messages: plan.conversations[c]!.messages.map((i) => {
        const { id, seq, from, body } = delivered(i);
        return { id, seq, from, body };
      }),
    })),
    closed: new Map(),
    problems: [],
    sendToSent: histogram(),
    sendToReceive: histogram(),
    seconds: 1,
  };
}

describe("demo check", () => {
  it("should pass a run where everything arrived once, in order, intact", () => {
    const result = check(plan, cleanRun());
    assert.deepEqual(result.problems, []);
    assert.equal(result.ok, true);
    assert.equal(result.deliveries, 5);
    assert.equal(result.deliveriesExpected, 5);
    assert.equal(result.historyMessages, 4);
  });

  it("should count what is missing, repeated, reordered, altered or sent back to its sender", () => {
    const run = cleanRun();
    const altered = { ...delivered(0), body: "hi 👋" };
    run.received.set("a", [delivered(3), delivered(1), delivered(1), delivered(2)]);
    run.received.set("b", [altered]);
    run.received.set("c", [delivered(2)]);
    run.history[1]!.messages = [];
    const result = check(plan, run);
    assert.equal(result.ok, false);
    assert.equal(result.missing, 1);
    assert.equal(result.duplicates, 1);
    assert.equal(result.outOfOrder, 1);
    assert.equal(result.mismatched, 1);
    assert.equal(result.unexpected, 1);
    assert.equal(result.historyMissing, 1);
  });
});

describe("demo corpus", () => {
  it("should read IRC lines, their continuations and actions, and leave out the rest", () => {
    const cookies = [
      "<sel> need help: my first packet gets lost :-(",
      "<netgod> sel: dont send the first one,",
      "         start with #2",
      "* Joey waves",
      "\t\t-- #debian",
      "%",
      "A fortune without IRC in it.",
      "%",
    ].join("\n");
    assert.deepEqual(parseCookies("test", cookies), [
      {
        source: "test",
        lines: [
          { nick: "sel", text: "need help: my first packet gets lost :-(" },
          { nick: "netgod", text: "sel: dont send the first one, start with #2" },
          { nick: "Joey", text: "/me waves" },
        ],
      },
    ]);
  });

  it("should cut long lines at sentence ends into short messages", () => {
    const long = `${"a".repeat(90)}. ${"b".repeat(90)}`;
    assert.deepEqual(splitShort(long), [`${"a".repeat(90)}.`, "b".repeat(90)]);
  });
});
