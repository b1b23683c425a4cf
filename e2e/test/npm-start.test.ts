import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { TestClient } from "../../svc-edge/test/support/ws-client.js";
import { dropNatsNamespace, dropSchema } from "../../testkit/cleanup.js";
import { TEST_DATABASE_URL, TEST_NATS_URL, uniqueNamespace } from "../../testkit/env.js";
import { freePort } from "../../testkit/ports.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

describe("e2e npm start", function () {
  this.timeout(90_000);

  it("should start a system that takes a token, a WebSocket and a message round trip", async () => {
    const namespace = uniqueNamespace();
    const httpPort = await freePort();
    const env = {
      ...process.env,
      NATS_URL: TEST_NATS_URL,
      DATABASE_URL: TEST_DATABASE_URL,
      DATABASE_SCHEMA: namespace,
      PARLEY_NAMESPACE: namespace,
      PARLEY_HTTP_PORT: String(httpPort),
      // Three consecutive ports above a free one; collisions fail loudly.
      PARLEY_GRPC_PORT_BASE: String(await freePort()),
    };
    // The script behind `npm start` once the build is done (npm test builds).
    const start = spawn(process.execPath, ["scripts/start.js"], { cwd: ROOT, env });
    let output = "";
    start.stderr.on("data", (d) => (output += String(d)));
    try {
      await new Promise<void>((resolve, reject) => {
        start.once("exit", (code) => reject(new Error(`start exited ${code}: ${output}`)));
        createInterface({ input: start.stdout }).on("line", (line) => {
          output += `${line}\n`;
          if (line.includes("Get a token")) resolve();
        });
      });
      assert.match(output, new RegExp(`ws://127.0.0.1:${httpPort}/ws`));

      const mint = (user: string) =>
        promisify(execFile)(process.execPath, ["scripts/token.js", user], { cwd: ROOT, env });
      const url = `ws://127.0.0.1:${httpPort}/ws`;
      const alice = await TestClient.open(url, (await mint("alice")).stdout.trim());
      const bob = await TestClient.open(url, (await mint("bob")).stdout.trim());
      await bob.caughtUp();
      const sent = await alice.request({ type: "send", id: "s1", to: "bob", body: "hello" });
      assert.equal(sent.type, "sent");
      const [got] = await bob.messages(1);
      assert.equal((got!.message as { body: string }).body, "hello");
      await Promise.all([alice.close(), bob.close()]);
    } finally {
      const exited = new Promise((resolve) => start.once("exit", resolve));
      start.kill("SIGINT");
      await exited;
      await dropNatsNamespace(namespace);
      await dropSchema(namespace);
    }
  });
});
