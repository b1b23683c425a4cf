import assert from "node:assert/strict";
import { decodeClientFrame } from "../../src/ws/codec.js";
import { RequestError } from "../../src/errors.js";

const limits = { maxBodyBytes: 1_000, maxUserIds: 10, maxWatchedUsers: 3 };
const decode = (frame: object) => decodeClientFrame(JSON.stringify(frame), limits);
const MEDIA_ID = "3f2a9c1e-8b7d-4c6a-9e5f-0a1b2c3d4e5f";
const SHA256 = "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08";

/** Asserts the frame is refused with invalid_argument, a reason matching, and the given id. */
function refused(frame: object, reason: RegExp, id?: string): void {
  assert.throws(
    () => decode(frame),
    (err: unknown) =>
      err instanceof RequestError &&
      err.code === "invalid_argument" &&
      reason.test(err.message) &&
      err.requestId === id,
  );
}

describe("media frame validation", () => {
  const upload = { type: "upload", id: "u1", content_type: "image/png", size: 10, sha256: SHA256 };

  it("should accept an upload, with the checksum in lower case and the file name as given", () => {
    assert.deepEqual(decode({ ...upload, file_name: "../a.png" }), {
      ...upload,
      sha256: SHA256.toLowerCase(),
      file_name: "../a.png",
    });
  });

  it("should refuse a malformed upload, naming the field", () => {
    refused({ ...upload, content_type: "" }, /^content_type must be/, "u1");
    refused({ ...upload, size: 0 }, /^size must be a positive integer/, "u1");
    refused({ ...upload, size: 1.5 }, /^size must be a positive integer/, "u1");
    refused({ ...upload, size: "10" }, /^size must be a positive integer/, "u1");
    refused({ ...upload, sha256: "abc" }, /^sha256 must be 64 hex digits/, "u1");
    refused({ ...upload, file_name: 7 }, /^file_name must be a string/, "u1");
    refused({ ...upload, file_name: "x".repeat(1_025) }, /at most 1024 characters/, "u1");
    refused({ ...upload, file_name: "a\ud800" }, /lone surrogate/, "u1");
  });

  it("should take upload_done and download with a media id", () => {
    assert.deepEqual(decode({ type: "upload_done", id: "d1", media_id: MEDIA_ID }), {
      type: "upload_done",
      id: "d1",
      media_id: MEDIA_ID,
    });
    assert.deepEqual(decode({ type: "download", id: "g1", media_id: MEDIA_ID, thumbnail: true }), {
      type: "download",
      id: "g1",
      media_id: MEDIA_ID,
      thumbnail: true,
    });
    refused({ type: "download", id: "g2", media_id: "../etc/passwd" }, /^media_id must be/, "g2");
    refused({ type: "download", id: "g3", media_id: MEDIA_ID, thumbnail: 1 }, /boolean/, "g3");
  });

  it("should take a send with media and no body, and refuse one with neither", () => {
    assert.deepEqual(decode({ type: "send", id: "s1", to: "bob", media_id: MEDIA_ID }), {
      type: "send",
      id: "s1",
      to: "bob",
      body: "",
      media_id: MEDIA_ID,
      retry: false,
    });
    refused({ type: "send", id: "s2", to: "bob" }, /^body must be a non-empty string/, "s2");
    refused({ type: "send", id: "s3", to: "bob", media_id: "x" }, /^media_id must be/, "s3");
    refused(
      { type: "send", id: "s4", to: "bob", media_id: MEDIA_ID, body: "a\u0000" },
      /NUL/,
      "s4",
    );
  });
});
