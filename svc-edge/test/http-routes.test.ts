import assert from "node:assert/strict";
import { request } from "node:http";
import { fileURLToPath } from "node:url";
import { verifyToken } from "@parley/common";
import { TEST_TOKEN_SECRET } from "../../testkit/env.js";
import { EdgeDeployment } from "./support/deployment.js";
import { TestClient } from "./support/ws-client.js";

const WEB_DIR = fileURLToPath(new URL("./fixtures/web", import.meta.url));

/** A GET with the path sent exactly as given (fetch would normalise `..`). */
function rawGet(base: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: "GET" }, (res) => {
      let body = "";
      res.on("data", (chunk) => (body += String(chunk)));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

const postToken = (base: string, body: unknown) =>
  fetch(`${base}/dev/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

describe("svc-edge HTTP routes: web client files and development tokens", () => {
  describe("when both are off (the default)", () => {
    let dep: EdgeDeployment;
    before(async () => {
      dep = await EdgeDeployment.start();
    });
    after(() => dep.stop());

    it("should answer 404 to POST /dev/token", async () => {
      const res = await postToken(dep.httpUrl, { user_id: "alice", device_id: "web" });
      assert.equal(res.status, 404);
    });

    it("should serve no files at /", async () => {
      assert.equal((await fetch(`${dep.httpUrl}/`)).status, 404);
      assert.equal((await fetch(`${dep.httpUrl}/index.html`)).status, 404);
    });
  });

  describe("when EDGE_WEB_DIR and EDGE_DEV_TOKENS are set", () => {
    let dep: EdgeDeployment;
    before(async () => {
      dep = await EdgeDeployment.start({ EDGE_WEB_DIR: WEB_DIR, EDGE_DEV_TOKENS: "true" });
    });
    after(() => dep.stop());

    it("should serve index.html at / without long caching, and hashed assets immutable", async () => {
      const index = await fetch(`${dep.httpUrl}/`);
      assert.equal(index.status, 200);
      assert.match(index.headers.get("content-type") ?? "", /text\/html/);
      assert.equal(index.headers.get("cache-control"), "no-cache");
      assert.match(await index.text(), /web fixture/);
      const asset = await fetch(`${dep.httpUrl}/assets/app-abc123.js`);
      assert.equal(asset.status, 200);
      assert.match(asset.headers.get("cache-control") ?? "", /immutable/);
    });

    it("should refuse paths that climb out of the folder", async () => {
      for (const path of [
        "/../secret.txt",
        "/assets/../../secret.txt",
        "/..%2fsecret.txt",
        "/%2e%2e/secret.txt",
        "/assets/..%2f..%2fsecret.txt",
        "/..\\secret.txt",
        "/../../http-routes.test.ts",
        "//etc/passwd",
      ]) {
        const res = await rawGet(dep.httpUrl, path);
        assert.equal(res.status, 404, `${path} answered ${res.status}`);
        assert.doesNotMatch(res.body, /not served|describe\(|root:/, path);
      }
    });

    it("should keep /healthz and 404 for unknown paths and other methods", async () => {
      assert.equal((await fetch(`${dep.httpUrl}/healthz`)).status, 200);
      assert.equal((await fetch(`${dep.httpUrl}/nope.js`)).status, 404);
      assert.equal((await fetch(`${dep.httpUrl}/`, { method: "POST" })).status, 404);
    });

    it("should mint a token with the edge's secret that opens a session", async () => {
      const res = await postToken(dep.httpUrl, { user_id: "web-alice", device_id: "browser" });
      assert.equal(res.status, 200);
      const { token, expires_at } = (await res.json()) as { token: string; expires_at: number };
      assert.deepEqual(await verifyToken(token, TEST_TOKEN_SECRET), {
        userId: "web-alice",
        deviceId: "browser",
      });
      assert.ok(expires_at > Date.now() + 60_000);
      const client = await TestClient.open(dep.url, token);
      await client.close();
    });

    it("should refuse malformed ids, bodies and methods", async () => {
      const bad = await postToken(dep.httpUrl, { user_id: "no spaces", device_id: "web" });
      assert.equal(bad.status, 400);
      const missing = await postToken(dep.httpUrl, { user_id: "alice" });
      assert.equal(missing.status, 400);
      const notJson = await fetch(`${dep.httpUrl}/dev/token`, { method: "POST", body: "{" });
      assert.equal(notJson.status, 400);
      const big = await postToken(dep.httpUrl, { user_id: "a".repeat(2_000), device_id: "d" });
      assert.equal(big.status, 413);
      assert.equal((await fetch(`${dep.httpUrl}/dev/token`)).status, 405);
    });
  });

  it("should not start with an EDGE_WEB_DIR that has no index.html", async () => {
    await assert.rejects(
      EdgeDeployment.start({ EDGE_WEB_DIR: fileURLToPath(new URL("./fixtures", import.meta.url)) }),
      /exited with 2 before ready: .*EDGE_WEB_DIR/s,
    );
  });
});
