// The Dockerfile and its build context, read as text (no Docker engine
// here), and the container health check run against a real gRPC server.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { Server, ServerCredentials } from "@grpc/grpc-js";
import { HealthImplementation } from "grpc-health-check";
import { ROOT, SERVICES } from "./support/services.js";

const run = promisify(execFile);

describe("Dockerfile", () => {
  const dockerfile = readFileSync(`${ROOT}Dockerfile`, "utf8");
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const runtime = stages.at(-1)!;

  it("should build on a Node 24 slim image and run as a non-root user", () => {
    assert.match(dockerfile, /^ARG NODE_IMAGE=node:24[\w.-]*-slim$/m);
    for (const stage of stages) assert.match(stage, /^\$\{NODE_IMAGE\} AS \w+/);
    const user = /^USER (\S+)$/m.exec(runtime)?.[1];
    assert.ok(user && user !== "root" && user !== "0", "the runtime stage runs as non-root");
  });

  it("should start svc-$SERVICE's entry point by default", () => {
    assert.match(runtime, /^CMD \["sh", "-c", "exec node svc-\$\{SERVICE\}\/dist\/main\.js"\]$/m);
    assert.match(runtime, /^ARG SERVICE=edge$/m);
  });

  it("should build, copy and install every service workspace", () => {
    const workspaces = JSON.parse(readFileSync(`${ROOT}package.json`, "utf8")).workspaces;
    for (const s of SERVICES) {
      const dir = `svc-${s}`;
      assert.ok(workspaces.includes(dir), `${dir} is a workspace`);
      assert.match(dockerfile, new RegExp(`tsc -b [^\\n]*\\b${dir}\\b`), `${dir} built`);
      assert.match(dockerfile, new RegExp(`for w in [^;]*\\b${dir}\\b`), `${dir} copied`);
      assert.match(dockerfile, new RegExp(`--workspace ${dir}\\b`), `${dir} dependencies`);
    }
    assert.match(dockerfile, /cp deploy\/healthcheck\.js/);
  });

  it("should keep local state and build output out of the context, and sources in", () => {
    const ignore = readFileSync(`${ROOT}.dockerignore`, "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#"));
    for (const entry of [".git", ".data", "**/node_modules", "**/dist"]) {
      assert.ok(ignore.includes(entry), `.dockerignore lacks ${entry}`);
    }
    assert.ok(ignore.includes("!deploy/healthcheck.js"));
    for (const needed of ["package-lock.json", "proto", "common", "src", "migrations"]) {
      assert.ok(!ignore.some((l) => l.replace(/^\*\*\//, "") === needed), `${needed} ignored`);
    }
  });
});

describe("deploy/healthcheck.js", () => {
  let server: Server;
  let health: HealthImplementation;
  let port: number;

  before(async () => {
    server = new Server();
    health = new HealthImplementation({ "": "SERVING", "parley.x.v1.X": "NOT_SERVING" });
    health.addToServer(server);
    port = await new Promise((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (err, bound) =>
        err ? reject(err) : resolve(bound),
      ),
    );
  });
  after(() => server.forceShutdown());

  const check = (...args: string[]) =>
    run(process.execPath, [`${ROOT}deploy/healthcheck.js`, ...args]).then(
      () => 0,
      (err: { code: number }) => err.code,
    );

  it("should exit 0 for a SERVING process and 1 otherwise", async () => {
    assert.equal(await check("grpc", `127.0.0.1:${port}`), 0);
    assert.equal(await check("grpc", `127.0.0.1:${port}`, "parley.x.v1.X"), 1);
    health.setStatus("", "NOT_SERVING");
    assert.equal(await check("grpc", `127.0.0.1:${port}`), 1);
  });

  it("should exit 1 when nothing answers", async () => {
    server.forceShutdown();
    assert.equal(await check("grpc", `127.0.0.1:${port}`), 1);
    assert.equal(await check("http", `http://127.0.0.1:${port}/healthz`), 1);
    assert.equal(await check("nonsense"), 1);
  });
});
