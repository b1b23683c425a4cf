import assert from "node:assert/strict";
import { verifyToken } from "@parley/common";
import { TEST_TOKEN_SECRET } from "../../testkit/env.js";
import { freePort } from "../../testkit/ports.js";
import { jsonLines, parley } from "./support/parley.js";

/** What needs no server: help, tokens, bad arguments and no server at all. */
describe("parley without a server", () => {
  const env = { PARLEY_TOKEN_SECRET: TEST_TOKEN_SECRET };

  it("should print the commands, options and exit codes on --help and exit 0", async () => {
    const run = await parley(["--help"]);
    assert.equal(run.code, 0);
    for (const text of ["token", "send", "listen", "history", "--url", "Exit codes:", "130"]) {
      assert.ok(run.stdout.includes(text), `--help mentions ${text}`);
    }
    const send = await parley(["send", "--help"]);
    assert.equal(send.code, 0);
    assert.match(send.stdout, /^Usage: parley send \(--to USER \| --group ID\) TEXT\n/);
  });

  it("should mint a token the deployment's secret verifies, for the user and device asked", async () => {
    const before = Date.now();
    const run = await parley(["token", "alice", "--device", "phone", "--ttl", "600", "--json"], {
      env,
    });
    assert.equal(run.code, 0, run.stderr);
    const [minted] = jsonLines(run) as [
      { token: string; user_id: string; device_id: string; expires_at: number },
    ];
    assert.equal(minted.user_id, "alice");
    assert.equal(minted.device_id, "phone");
    assert.ok(minted.expires_at >= before + 599_000 && minted.expires_at <= Date.now() + 601_000);
    assert.deepEqual(await verifyToken(minted.token, TEST_TOKEN_SECRET), {
      userId: "alice",
      deviceId: "phone",
    });

    // Without --json the token alone, ready for $(parley token USER).
    const bare = await parley(["token", "bob"], { env });
    assert.equal(bare.code, 0, bare.stderr);
    assert.match(bare.stdout, /^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    assert.deepEqual(await verifyToken(bare.stdout.trim(), TEST_TOKEN_SECRET), {
      userId: "bob",
      deviceId: "cli",
    });
  });

  const usageErrors: [string, string[], Record<string, string>?][] = [
    ["no command", []],
    ["an unknown command", ["sned", "--to", "bob", "hi"]],
    ["an unknown option", ["send", "--to", "bob", "--loud", "hi"]],
    ["a send without a recipient", ["send", "--user", "alice", "hi"]],
    ["a send to a user and a group", ["send", "--user", "alice", "--to", "b", "--group", "g", "x"]],
    ["a send without text", ["send", "--user", "alice", "--to", "bob"]],
    ["a send with two texts", ["send", "--user", "alice", "--to", "bob", "hi", "there"]],
    ["--retry without --id", ["send", "--user", "alice", "--to", "bob", "--retry", "hi"]],
    ["a listen --count of 0", ["listen", "--user", "alice", "--count", "0"]],
    ["a timeout that is not a number", ["listen", "--user", "alice", "--timeout", "soon"]],
    ["history without a conversation", ["history", "--user", "alice"]],
    [
      "history --before with --after",
      ["history", "d_x", "--user", "a", "--before", "9", "--after", "2"],
    ],
    ["a history --limit above 500", ["history", "d_x", "--user", "alice", "--limit", "501"]],
    ["--token with --user", ["send", "--token", "t", "--user", "alice", "--to", "bob", "hi"]],
    ["--device without --user", ["send", "--token", "t", "--device", "d", "--to", "bob", "hi"]],
    ["no token at all", ["send", "--to", "bob", "hi"]],
    ["a token for a malformed user id", ["token", "not a user"]],
    [
      "a URL that is not a WebSocket URL",
      ["send", "--user", "a", "--to", "b", "hi"],
      { PARLEY_URL: "nope" },
    ],
  ];
  for (const [what, args, extraEnv] of usageErrors) {
    it(`should exit 2 with one diagnostic line on ${what}`, async () => {
      const run = await parley(args, { env: { ...env, ...extraEnv } });
      assert.equal(run.code, 2, run.stderr);
      assert.equal(run.stdout, "");
      assert.match(run.stderr, /^parley: .+\nTry `parley --help`\.\n$/);
    });
  }

  it("should exit 3 and name the URL when no server listens there", async () => {
    const url = `ws://127.0.0.1:${await freePort()}/ws`;
    const run = await parley(["send", "--user", "alice", "--to", "bob", "hi"], {
      env: { ...env, PARLEY_URL: url },
    });
    assert.equal(run.code, 3);
    assert.equal(run.stdout, "");
    assert.equal(
      run.stderr,
      `parley: cannot connect to ${url}: connect ECONNREFUSED ${url.slice(5, -3)}\n`,
    );
  });
});
