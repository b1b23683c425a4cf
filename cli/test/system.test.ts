import assert from "node:assert/strict";
import { signToken } from "@parley/common";
import { System } from "../../e2e/support/system.js";
import { token } from "../../svc-edge/test/support/deployment.js";
import { TestClient, type Frame } from "../../svc-edge/test/support/ws-client.js";
import { TEST_TOKEN_SECRET } from "../../testkit/env.js";
import { eventually } from "../../testkit/eventually.js";
import { jsonLines, parley, type Run, type RunOptions } from "./support/parley.js";

type Message = { id: string; conversation_id: string; seq: number; from: string; body?: string };
type Sent = { type: string; message_id: string; conversation_id: string; seq: number };

/** A body that breaks naive encoders: astral emoji, a modifier, CJK, quotes, escapes, controls. */
const UNICODE_BODY =
  'héllo 👋🏽 — 世界 «ok» ✓\nsecond line\twith "quotes", \\backslash\\ and \u0007 bell 🇫🇷';

describe("parley against the whole system", () => {
  let system: System;
  const run = (args: string[], options: RunOptions = {}) =>
    parley(args, {
      ...options,
      env: { PARLEY_URL: system.edgeUrl, PARLEY_TOKEN_SECRET: TEST_TOKEN_SECRET, ...options.env },
    });
  /** `parley --user FROM send --json --to TO BODY`, which must succeed. */
  const send = async (from: string, to: string, body: string): Promise<Sent> => {
    const sent = await run(["send", "--user", from, "--to", to, "--json", body]);
    assert.equal(sent.code, 0, sent.stderr);
    return jsonLines(sent)[0] as Sent;
  };
  /** The messages of one history page as `user` sees it, JSON lines parsed. */
  const history = async (user: string, args: string[]): Promise<Message[]> => {
    const page = await run(["history", "--user", user, "--json", ...args]);
    assert.equal(page.code, 0, page.stderr);
    return jsonLines(page) as Message[];
  };
  /** History trails delivery by a batch: waits until `count` messages are stored. */
  const storedHistory = async (user: string, conversationId: string, count: number) => {
    let messages: Message[] = [];
    await eventually(
      async () => (messages = await history(user, [conversationId, "--all"])).length >= count,
      10_000,
      () => `${count} messages in history (${messages.length} so far)`,
      100,
    );
    return messages;
  };

  before(async () => {
    system = await System.start();
  });

  after(async () => {
    await system?.stop();
  });

  it("should send a Unicode text that listen --json prints byte for byte, then history keeps", async () => {
    const sent = await send("alice", "bob", UNICODE_BODY);
    assert.equal(sent.type, "sent");
    assert.match(sent.conversation_id, /^d_/);
    assert.ok(sent.seq > 0);

    const listened = await run(["listen", "--user", "bob", "--count", "1", "--json"]);
    assert.equal(listened.code, 0, listened.stderr);
    assert.equal(listened.stderr, "");
    const lines = listened.stdout.split("\n");
    assert.equal(lines.length, 2, "one JSON line and the final newline");
    // The line carries the text itself (JSON escapes only what it must).
    assert.ok(lines[0]!.includes("👋🏽 — 世界 «ok» ✓"), lines[0]);
    const [frame] = jsonLines(listened) as [{ type: string; inbox_seq: number; message: Message }];
    assert.equal(frame.type, "message");
    assert.ok(frame.inbox_seq > 0);
    assert.deepEqual(
      {
        id: frame.message.id,
        conversation_id: frame.message.conversation_id,
        seq: frame.message.seq,
        from: frame.message.from,
      },
      { id: sent.message_id, conversation_id: sent.conversation_id, seq: sent.seq, from: "alice" },
    );
    assert.equal(frame.message.body, UNICODE_BODY);
    assert.deepEqual(Buffer.from(frame.message.body!, "utf8"), Buffer.from(UNICODE_BODY, "utf8"));

    // Acked by the first listen: it does not come again, and waiting for it times out.
    const again = await run([
      "listen",
      "--user",
      "bob",
      "--messages-only",
      "--count",
      "1",
      "--timeout",
      "2",
    ]);
    assert.equal(again.code, 5, again.stderr);
    assert.equal(again.stdout, "");
    assert.equal(again.stderr, "parley: timed out: receiving 1 message (0 arrived) within 2 s\n");

    // Both participants read it back from history, byte for byte.
    for (const user of ["bob", "alice"]) {
      const [stored] = await storedHistory(user, sent.conversation_id, 1);
      assert.equal(stored!.id, sent.message_id);
      assert.equal(stored!.body, UNICODE_BODY);
    }
  });

  it("should print one line per entry for people, with the sender and the text", async () => {
    const sent = await send("alice", "carol", "two\nlines");
    const listened = await run(["listen", "--user", "carol", "--count", "1"]);
    assert.equal(listened.code, 0, listened.stderr);
    const where = `${sent.conversation_id} #${sent.seq}`;
    assert.match(
      listened.stdout,
      new RegExp(
        `^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d  ${where}  alice: two\\n    lines\\n$`,
      ),
    );

    const human = await run(["send", "--user", "carol", "--to", "alice", "back"]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(
      human.stdout,
      new RegExp(`^${sent.conversation_id} #\\d+  message [0-9a-f-]{36}\\n$`),
    );
  });

  it("should print the receipt a recipient's ack makes, and no copy of the device's own send", async () => {
    const sent = await send("dora", "ed", "did you get this?");
    const received = await run(["listen", "--user", "ed", "--count", "1", "--json"]);
    assert.equal(received.code, 0, received.stderr);

    const listened = await run([
      "listen",
      "--user",
      "dora",
      "--count",
      "1",
      "--json",
      "--timeout",
      "10",
    ]);
    assert.equal(listened.code, 0, listened.stderr);
    // The sending device had its answer: the first frame is the receipt.
    const [receipt] = jsonLines(listened) as [Frame];
    assert.equal(receipt.type, "receipt");
    assert.equal(receipt.conversation_id, sent.conversation_id);
    assert.equal(receipt.user_id, "ed");
    assert.ok((receipt.delivered_seq as number) >= sent.seq);
  });

  it("should read the text from stdin with -, and send again with the same --id as a duplicate", async () => {
    const first = await run(
      ["send", "--user", "fay", "--to", "gus", "--id", "fay-1", "--json", "-"],
      {
        stdin: "from a pipe 🚰\n",
      },
    );
    assert.equal(first.code, 0, first.stderr);
    const sent = jsonLines(first)[0] as Sent & { duplicate: boolean };
    assert.equal(sent.duplicate, false);
    const retried = await run([
      "send",
      "--user",
      "fay",
      "--to",
      "gus",
      "--id",
      "fay-1",
      "--retry",
      "--json",
      "ignored",
    ]);
    assert.equal(retried.code, 0, retried.stderr);
    const duplicate = jsonLines(retried)[0] as Sent & { duplicate: boolean };
    assert.equal(duplicate.duplicate, true);
    assert.equal(duplicate.message_id, sent.message_id);
    assert.equal(duplicate.seq, sent.seq);

    const stored = await storedHistory("gus", sent.conversation_id, 1);
    assert.deepEqual(
      stored.map((m) => m.body),
      ["from a pipe 🚰"],
    );
  });

  it("should page history with --limit, --before, --after, --oldest and --all", async () => {
    const sent: Sent[] = [];
    for (let i = 1; i <= 5; i++) sent.push(await send("hal", "ivy", `m${i}`));
    const conv = sent[0]!.conversation_id;
    const bodies = (messages: Message[]) => messages.map((m) => m.body);
    await storedHistory("ivy", conv, 5);

    assert.deepEqual(bodies(await history("ivy", [conv])), ["m1", "m2", "m3", "m4", "m5"]);
    assert.deepEqual(bodies(await history("ivy", [conv, "--limit", "2"])), ["m4", "m5"]);
    assert.deepEqual(bodies(await history("ivy", [conv, "--limit", "2", "--oldest"])), [
      "m1",
      "m2",
    ]);
    const third = String(sent[2]!.seq);
    assert.deepEqual(bodies(await history("ivy", [conv, "--before", third])), ["m1", "m2"]);
    assert.deepEqual(bodies(await history("ivy", [conv, "--after", third])), ["m4", "m5"]);
    assert.deepEqual(bodies(await history("ivy", [conv, "--all", "--limit", "2"])), [
      "m1",
      "m2",
      "m3",
      "m4",
      "m5",
    ]);
    const fifth = String(sent[4]!.seq);
    assert.deepEqual(
      bodies(await history("hal", [conv, "--all", "--limit", "2", "--before", fifth])),
      ["m1", "m2", "m3", "m4"],
    );
    assert.deepEqual(await history("hal", [conv, "--after", fifth]), []);

    const human = await run(["history", "--user", "ivy", conv, "--limit", "2"]);
    assert.equal(human.code, 0, human.stderr);
    const lines = human.stdout.split("\n");
    assert.deepEqual(
      lines.map((line) => line.slice(line.lastIndexOf("  ") + 2)),
      ["hal: m4", "hal: m5", ""],
    );
    assert.ok(lines[0]!.includes(`${conv} #${sent[3]!.seq}`), lines[0]);
  });

  it("should send to a group with --group and reach its members", async () => {
    const admin = await TestClient.open(
      system.edgeUrl,
      await token({ userId: "jo", deviceId: "tc" }),
    );
    try {
      await admin.caughtUp();
      const created = await admin.request({
        type: "create_group",
        id: "cg-1",
        title: "cli",
        members: ["kim"],
      });
      const groupId = (created.conversation as { conversation_id: string }).conversation_id;
      await admin.messages(1); // the "created" event

      const sent = await run(["send", "--user", "kim", "--group", groupId, "--json", "hi all"]);
      assert.equal(sent.code, 0, sent.stderr);
      assert.equal((jsonLines(sent)[0] as Sent).conversation_id, groupId);
      const [got] = await admin.messages(1);
      assert.equal((got!.message as Message).body, "hi all");
      assert.equal((got!.message as Message).from, "kim");
    } finally {
      await admin.close();
    }
  });

  const refusals: [string, string[], RegExp][] = [
    [
      "a send to an ill-formed user id",
      ["send", "--user", "lou", "--to", "not a user!", "hi"],
      /^parley: refused: invalid_argument: .+\n$/,
    ],
    [
      "a send to oneself",
      ["send", "--user", "lou", "--to", "lou", "hi"],
      /^parley: refused: invalid_argument: .+\n$/,
    ],
    [
      "an empty text",
      ["send", "--user", "lou", "--to", "max", ""],
      /^parley: refused: invalid_argument: .+\n$/,
    ],
    [
      "a send to a group the user is not in",
      ["send", "--user", "lou", "--group", "g_AAAAAAAAAAAAAAAAAAAAAA", "hi"],
      /^parley: refused: permission_denied: .+\n$/,
    ],
    [
      "the history of a conversation the user is not in",
      ["history", "--user", "lou", "g_AAAAAAAAAAAAAAAAAAAAAA"],
      /^parley: refused: permission_denied: .+\n$/,
    ],
  ];
  for (const [what, args, stderr] of refusals) {
    it(`should exit 1 with the code and reason on stderr on ${what}`, async () => {
      const refused = await run(args);
      assert.equal(refused.code, 1, refused.stderr);
      assert.equal(refused.stdout, "");
      assert.match(refused.stderr, stderr);
    });
  }

  it("should exit 4 when the edge refuses the token", async () => {
    const garbage = await run(["send", "--token", "not-a-jwt", "--to", "bob", "hi"]);
    assert.equal(garbage.code, 4, garbage.stderr);
    assert.match(garbage.stderr, /^parley: connection closed: 4401 .+\n$/);

    const otherSecret = await signToken({ userId: "alice", deviceId: "cli" }, "another-secret", 60);
    const foreign = await run(["listen", "--count", "1"], { env: { PARLEY_TOKEN: otherSecret } });
    assert.equal(foreign.code, 4, foreign.stderr);
    assert.equal(foreign.stdout, "");
  });

  it("should stop listening on SIGTERM with 0, having acked what it printed", async () => {
    await send("nia", "oz", "before the stop");
    const stopped = await listenThenSignal(["listen", "--user", "oz", "--json"], "SIGTERM");
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.equal((jsonLines(stopped)[0] as { message: Message }).message.body, "before the stop");

    const again = await run([
      "listen",
      "--user",
      "oz",
      "--messages-only",
      "--count",
      "1",
      "--timeout",
      "2",
    ]);
    assert.equal(again.code, 5, "the message was acked before the stop");
  });

  it("should exit 130 on SIGINT before --count is reached, having acked what it printed", async () => {
    await send("pam", "quin", "one");
    const stopped = await listenThenSignal(
      ["listen", "--user", "quin", "--json", "--messages-only", "--count", "2"],
      "SIGINT",
    );
    assert.equal(stopped.code, 130, stopped.stderr);
    assert.equal(stopped.stderr, "parley: stopped after 1 of 2\n");
    assert.deepEqual(
      jsonLines(stopped).map((f) => (f.message as Message).body),
      ["one"],
    );

    // Beyond --count nothing is acked: "three" comes on the next connection.
    await send("pam", "quin", "two");
    await send("pam", "quin", "three");
    for (const body of ["two", "three"]) {
      const next = await run([
        "listen",
        "--user",
        "quin",
        "--json",
        "--messages-only",
        "--count",
        "1",
      ]);
      assert.equal(next.code, 0, next.stderr);
      assert.deepEqual(
        jsonLines(next).map((f) => (f.message as Message).body),
        [body],
      );
    }
  });

  /** Runs a listen and sends it `signal` once it has printed a line. */
  function listenThenSignal(args: string[], signal: NodeJS.Signals): Promise<Run> {
    return run([...args, "--timeout", "10"], {
      started: (child) => {
        child.stdout!.once("data", () => child.kill(signal));
      },
    });
  }
});
