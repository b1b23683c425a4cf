// Container health check, run inside the image (compose.yaml uses it;
// Kubernetes has native gRPC and HTTP probes). Exits 0 when healthy, 1 if
// not, within a 3-second deadline.
//
//   node deploy/healthcheck.js grpc 127.0.0.1:7101 [service]
//   node deploy/healthcheck.js http http://127.0.0.1:8080/healthz
//
// The gRPC form calls grpc.health.v1.Health/Check (the empty service name
// covers the whole process). Its two messages are encoded by hand, so the
// check needs nothing beyond @grpc/grpc-js, which every service has.
import { Client, credentials } from "@grpc/grpc-js";

const DEADLINE_MS = 3_000;
const SERVING = 1;

const [kind, target, service = ""] = process.argv.slice(2);
const fail = (why) => {
  process.stderr.write(`healthcheck: ${why}\n`);
  process.exit(1);
};

if (kind === "grpc" && target) checkGrpc(target, service);
else if (kind === "http" && target) checkHttp(target);
else fail("usage: healthcheck.js grpc HOST:PORT [SERVICE] | http URL");

function checkGrpc(address, name) {
  const client = new Client(address, credentials.createInsecure());
  const deadline = Date.now() + DEADLINE_MS;
  client.makeUnaryRequest(
    "/grpc.health.v1.Health/Check",
    encodeRequest,
    decodeStatus,
    name,
    { deadline },
    (err, status) => {
      client.close();
      if (err) fail(`${address}: ${err.message}`);
      if (status !== SERVING) fail(`${address}: status ${status}, not SERVING`);
      process.exit(0);
    },
  );
}

/** HealthCheckRequest { string service = 1; } */
function encodeRequest(name) {
  const bytes = Buffer.from(name, "utf8");
  if (bytes.length === 0) return Buffer.alloc(0);
  return Buffer.concat([Buffer.from([0x0a]), varint(bytes.length), bytes]);
}

/** HealthCheckResponse { ServingStatus status = 1; }; absent means 0 (UNKNOWN). */
function decodeStatus(buffer) {
  if (buffer.length === 0) return 0;
  if (buffer[0] !== 0x08) throw new Error("unexpected HealthCheckResponse");
  let value = 0;
  for (let i = 1, shift = 0; i < buffer.length; i++, shift += 7) {
    value |= (buffer[i] & 0x7f) << shift;
    if ((buffer[i] & 0x80) === 0) break;
  }
  return value;
}

function varint(n) {
  const out = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

async function checkHttp(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(DEADLINE_MS) });
    if (!res.ok) fail(`${url}: HTTP ${res.status}`);
    process.exit(0);
  } catch (err) {
    fail(`${url}: ${err.message}`);
  }
}
