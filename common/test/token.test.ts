import assert from "node:assert/strict";
import { SignJWT } from "jose";
import { ParleyError, signToken, verifyToken } from "../src/index.js";

const secret = "unit-test-secret";
const rejectsWith = (promise: Promise<unknown>, reason: RegExp) =>
  assert.rejects(promise, (err: ParleyError) => {
    assert.equal(err.code, "unauthenticated");
    assert.match(err.message, reason);
    return true;
  });

describe("common tokens", () => {
  it("should round-trip the user and the device", async () => {
    const token = await signToken({ userId: "alice", deviceId: "phone" }, secret, 60);
    assert.deepEqual(await verifyToken(token, secret), { userId: "alice", deviceId: "phone" });
  });

  it("should refuse a token signed with another secret", async () => {
    const token = await signToken({ userId: "alice", deviceId: "phone" }, "other", 60);
    await rejectsWith(verifyToken(token, secret), /invalid/);
  });

  it("should refuse an expired token as expired", async () => {
    const token = await new SignJWT({ dev: "phone" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("alice")
      .setExpirationTime(Math.floor(Date.now() / 1000) - 10)
      .sign(new TextEncoder().encode(secret));
    await rejectsWith(verifyToken(token, secret), /expired/);
  });

  it("should refuse a token without an expiry", async () => {
    const token = await new SignJWT({ dev: "phone" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("alice")
      .sign(new TextEncoder().encode(secret));
    await rejectsWith(verifyToken(token, secret), /invalid/);
  });

  it("should refuse an unsigned (alg none) token", async () => {
    const header = Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url");
    const exp = Math.floor(Date.now() / 1000) + 60;
    const body = Buffer.from(JSON.stringify({ sub: "alice", dev: "p", exp })).toString("base64url");
    await rejectsWith(verifyToken(`${header}.${body}.`, secret), /invalid/);
  });

  it("should refuse ids that are not Parley ids", async () => {
    const token = await new SignJWT({ dev: "phone" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("alice.smith")
      .setExpirationTime("1m")
      .sign(new TextEncoder().encode(secret));
    await rejectsWith(verifyToken(token, secret), /malformed/);
  });
});
