import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { MediaState } from "@parley/proto/parley/media/v1/media";
import sharp from "sharp";
import { MediaStore } from "../src/pg/media-store.js";
import { failureOf, MediaDeployment, put, sha256 } from "./helpers/deployment.js";

/** A PNG of noise: neither compresses to nothing nor repeats between calls. */
function photo(width: number, height: number): Promise<Buffer> {
  return sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

async function fetchBytes(
  url: string,
): Promise<{ status: number; bytes: Buffer; headers: Headers }> {
  const response = await fetch(url);
  return {
    status: response.status,
    bytes: Buffer.from(await response.arrayBuffer()),
    headers: response.headers,
  };
}

describe("svc-media: upload, complete, attach and download against S3-compatible storage", function () {
  this.timeout(30_000);
  let d: MediaDeployment;
  before(async () => {
    d = await MediaDeployment.start({
      MEDIA_MAX_PENDING_PER_OWNER: "3",
      MEDIA_MAX_IMAGE_PIXELS: "200000",
    });
  });
  after(async () => d?.dispose());

  it("should carry an image through grant, PUT, completion and download byte for byte, with a thumbnail", async () => {
    const bytes = await photo(400, 300);
    const media = await d.upload("ann", bytes, "image/png", "beach.png");
    assert.equal(media.state, MediaState.MEDIA_STATE_READY);
    assert.equal(media.sha256, sha256(bytes));
    assert.equal(media.sizeBytes, bytes.length);
    assert.equal(media.fileName, "beach.png");
    assert.deepEqual([media.width, media.height], [400, 300]);
    const thumbnail = media.thumbnail!;
    assert.ok(Math.max(thumbnail.width, thumbnail.height) <= 96);
    assert.equal((await sharp(thumbnail.jpeg).metadata()).format, "jpeg");

    const download = await d.download("ann", media.mediaId);
    const got = await fetchBytes(download.url);
    assert.equal(got.status, 200);
    assert.ok(got.bytes.equals(bytes), "the download is exactly what was uploaded");
    assert.equal(got.headers.get("content-type"), "image/png");
    assert.equal(got.headers.get("content-disposition"), "attachment; filename*=UTF-8''beach.png");

    const thumb = await fetchBytes((await d.download("ann", media.mediaId, true)).url);
    assert.ok(
      thumb.bytes.equals(Buffer.from(thumbnail.jpeg)),
      "the stored thumbnail is the one carried",
    );
  });

  it("should grant a PUT whose content type, length and checksum are signed, under a key of the server's", async () => {
    const bytes = randomBytes(1000);
    const granted = await d.createUpload({
      ownerId: "ann",
      contentType: "application/pdf",
      sizeBytes: 1000,
      sha256: sha256(bytes),
      fileName: "../../etc/passwd",
    });
    const grant = granted.grant!;
    const url = new URL(grant.url);
    assert.equal(grant.method, "PUT");
    assert.equal(url.pathname, `/parley-media/uploads/${granted.media!.mediaId}`);
    assert.equal(
      url.searchParams.get("X-Amz-SignedHeaders"),
      "content-length;content-type;host;x-amz-checksum-sha256",
    );
    assert.equal(url.searchParams.get("X-Amz-Algorithm"), "AWS4-HMAC-SHA256");
    const expiresS = Number(url.searchParams.get("X-Amz-Expires"));
    assert.ok(expiresS > 0 && expiresS <= 15 * 60, `expires in ${expiresS} s`);
    assert.ok(grant.expiresAtMs <= Date.now() + 15 * 60_000 + 1000);
    // The checksum is a header (checked against the body), not a query parameter.
    assert.equal(url.searchParams.get("x-amz-checksum-sha256"), null);
    assert.deepEqual(grant.headers, {
      "content-type": "application/pdf",
      "content-length": "1000",
      "x-amz-checksum-sha256": Buffer.from(sha256(bytes), "hex").toString("base64"),
    });
    assert.equal(granted.media!.fileName, "passwd");
  });

  it("should refuse at completion an object stored under another content type, and delete it", async () => {
    // Real S3 refuses this PUT (content-type is signed); s3rver checks no
    // signed header, so completion is what must catch it.
    const bytes = randomBytes(2000);
    const granted = await d.createUpload({
      ownerId: "bea",
      contentType: "application/pdf",
      sizeBytes: bytes.length,
      sha256: sha256(bytes),
    });
    const mediaId = granted.media!.mediaId;
    assert.equal(await put(granted, bytes, { "content-type": "text/html" }), 200);
    const refused = await failureOf(d.complete("bea", mediaId));
    assert.equal(refused.code, "failed_precondition");
    assert.match(refused.message, /content type is "text\/html", "application\/pdf" declared/);
    const nothing = await failureOf(d.complete("bea", mediaId));
    assert.equal(nothing.code, "failed_precondition");
    assert.match(nothing.message, /nothing was uploaded/, "the mismatching object was deleted");
    // The honest PUT on the same grant still works.
    assert.equal(await put(granted, bytes), 200);
    assert.equal((await d.complete("bea", mediaId)).media!.state, MediaState.MEDIA_STATE_READY);
  });

  it("should refuse content that differs from the declared checksum, and delete it", async () => {
    const declared = randomBytes(3000);
    const granted = await d.createUpload({
      ownerId: "cal",
      contentType: "application/zip",
      sizeBytes: declared.length,
      sha256: sha256(declared),
    });
    const earlier = await d.upload("cal", randomBytes(100), "text/plain");
    // Same length, other bytes: real S3 refuses this PUT by the checksum
    // header; s3rver stores it, and completion must catch it.
    assert.equal(await put(granted, randomBytes(3000)), 200);
    const mediaId = granted.media!.mediaId;
    const refused = await failureOf(d.complete("cal", mediaId));
    assert.equal(refused.code, "failed_precondition");
    assert.match(refused.message, /SHA-256 differs/);
    const untouched = await fetchBytes((await d.download("cal", earlier.mediaId)).url);
    assert.equal(untouched.status, 200, "the owner's other media is not affected");
    const again = await failureOf(d.complete("cal", mediaId));
    assert.match(again.message, /nothing was uploaded/, "the mismatching object was deleted");
    assert.equal(await put(granted, declared), 200);
    assert.equal((await d.complete("cal", mediaId)).media!.state, MediaState.MEDIA_STATE_READY);
  });

  it("should refuse an upload of another size than declared, and delete it", async () => {
    const declared = randomBytes(1000);
    const granted = await d.createUpload({
      ownerId: "cay",
      contentType: "application/zip",
      sizeBytes: declared.length,
      sha256: sha256(declared),
    });
    const mediaId = granted.media!.mediaId;
    // What storage that enforces no signed header would keep.
    await d.putObject(`uploads/${mediaId}`, randomBytes(1200), "application/zip");
    const refused = await failureOf(d.complete("cay", mediaId));
    assert.equal(refused.code, "failed_precondition");
    assert.match(refused.message, /size is 1200 bytes, 1000 declared/);
    assert.match((await failureOf(d.complete("cay", mediaId))).message, /nothing was uploaded/);
  });

  it("should serve what was verified even after another PUT on the same grant", async () => {
    const bytes = randomBytes(800);
    const { media, granted } = await d.grantAndPut("cyd", bytes, "application/pdf");
    await d.complete("cyd", media.mediaId);
    // The grant is still valid: a second PUT lands in uploads/, never in
    // what downloads serve.
    assert.equal(await put(granted, randomBytes(800)), 200);
    const got = await fetchBytes((await d.download("cyd", media.mediaId)).url);
    assert.ok(got.bytes.equals(bytes), "the download is the verified content");
  });

  it("should size and thumbnail a rotated photo as it is displayed", async () => {
    const sideways = await sharp(randomBytes(200 * 100 * 3), {
      raw: { width: 200, height: 100, channels: 3 },
    })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const media = await d.upload("dee", sideways, "image/jpeg");
    assert.deepEqual([media.width, media.height], [100, 200]);
    assert.deepEqual([media.thumbnail!.width, media.thumbnail!.height], [48, 96]);
  });

  it("should refuse an image over the pixel limit, saying so", async () => {
    const big = await photo(600, 400);
    const { media, status } = await d.grantAndPut("dov", big, "image/png");
    assert.equal(status, 200);
    const refused = await failureOf(d.complete("dov", media.mediaId));
    assert.equal(refused.code, "failed_precondition");
    assert.match(refused.message, /the image is 600×400, over 200000 pixels/);
  });

  it("should refuse an image that does not decode, and delete it", async () => {
    const notPng = randomBytes(5000);
    const { media, status } = await d.grantAndPut("dan", notPng, "image/png");
    assert.equal(status, 200);
    const refused = await failureOf(d.complete("dan", media.mediaId));
    assert.equal(refused.code, "failed_precondition");
    assert.match(refused.message, /not a decodable image\/png image/);
    assert.match(
      (await failureOf(d.complete("dan", media.mediaId))).message,
      /nothing was uploaded/,
    );
  });

  it("should answer a repeated completion with the same ready media", async () => {
    const bytes = randomBytes(500);
    const first = await d.upload("eve", bytes, "text/plain", "notes.txt");
    const again = (await d.complete("eve", first.mediaId)).media!;
    assert.deepEqual(again, first);
  });

  it("should not let anyone but the owner complete an upload", async () => {
    const bytes = randomBytes(100);
    const { media, status } = await d.grantAndPut("fay", bytes, "text/plain");
    assert.equal(status, 200);
    const foreign = await failureOf(d.complete("gus", media.mediaId));
    assert.equal(foreign.code, "not_found");
    const unknown = await failureOf(d.complete("gus", "00000000-0000-4000-8000-000000000000"));
    assert.equal(unknown.code, "not_found");
    assert.equal(foreign.message, unknown.message, "someone else's and unknown answer alike");
    assert.equal(
      (await d.complete("fay", media.mediaId)).media!.state,
      MediaState.MEDIA_STATE_READY,
    );
  });

  it("should attach only ready media of the sender, and grant downloads to the 1:1 peer only", async () => {
    const conversationId = "d_AAAAAAAAAAAAAAAAAAAAAA";
    const pendingUpload = await d.grantAndPut("hal", randomBytes(64), "text/plain");
    const notReady = await failureOf(
      d.attach({
        senderId: "hal",
        mediaId: pendingUpload.media.mediaId,
        conversationId,
        recipientId: "ivy",
      }),
    );
    assert.equal(notReady.code, "failed_precondition");

    const bytes = await photo(50, 40);
    const media = await d.upload("hal", bytes, "image/png");
    const stolen = await failureOf(
      d.attach({ senderId: "ivy", mediaId: media.mediaId, conversationId, recipientId: "hal" }),
    );
    assert.equal(stolen.code, "not_found");

    const stranger = await failureOf(d.download("ivy", media.mediaId));
    assert.equal(stranger.code, "not_found", "not sent to ivy yet");

    const { attachment } = await d.attach({
      senderId: "hal",
      mediaId: media.mediaId,
      conversationId,
      recipientId: "ivy",
    });
    assert.equal(attachment!.mediaId, media.mediaId);
    assert.equal(attachment!.sha256, sha256(bytes));
    assert.ok(Buffer.from(attachment!.thumbnailJpeg).equals(Buffer.from(media.thumbnail!.jpeg)));
    // Attaching again (a retried send) changes nothing.
    await d.attach({ senderId: "hal", mediaId: media.mediaId, conversationId, recipientId: "ivy" });

    const got = await fetchBytes((await d.download("ivy", media.mediaId)).url);
    assert.ok(got.bytes.equals(bytes));
    assert.equal((await failureOf(d.download("jon", media.mediaId))).code, "not_found");
    assert.equal(
      (await failureOf(d.download("hal", pendingUpload.media.mediaId))).code,
      "not_found",
    );
  });

  it("should answer UNAVAILABLE for a group download while group membership cannot be read", async () => {
    const media = await d.upload("kim", randomBytes(64), "text/plain");
    await d.attach({
      senderId: "kim",
      mediaId: media.mediaId,
      conversationId: "g_team",
      recipientId: "",
    });
    assert.equal((await failureOf(d.download("lou", media.mediaId))).code, "unavailable");
    assert.ok((await d.download("kim", media.mediaId)).url, "the owner needs no membership");
  });

  it("should answer not_found for the thumbnail of media that has none", async () => {
    const media = await d.upload("max", randomBytes(64), "text/plain");
    assert.equal((await failureOf(d.download("max", media.mediaId, true))).code, "not_found");
  });

  it("should sign downloads for a short time, with the file name escaped", async () => {
    const media = await d.upload(
      "ned",
      randomBytes(64),
      "text/plain",
      'r\u00e9sum\u00e9 "final".txt',
    );
    const { url, expiresAtMs } = await d.download("ned", media.mediaId);
    const signed = new URL(url);
    assert.equal(signed.searchParams.get("X-Amz-Expires"), "300");
    assert.ok(Math.abs(expiresAtMs - (Date.now() + 300_000)) < 5_000);
    const got = await fetchBytes(url);
    assert.equal(
      got.headers.get("content-disposition"),
      "attachment; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22final%22.txt",
    );
  });

  describe("bad requests", () => {
    const good = () => {
      const bytes = randomBytes(10);
      return { ownerId: "oli", contentType: "text/plain", sizeBytes: 10, sha256: sha256(bytes) };
    };
    const refusals: [string, Record<string, unknown>, RegExp][] = [
      ["an unknown content type", { contentType: "application/x-msdownload" }, /not accepted/],
      ["html", { contentType: "text/html" }, /not accepted/],
      ["a size of zero", { sizeBytes: 0 }, /more than 0/],
      [
        "an image over its cap",
        { contentType: "image/png", sizeBytes: 16 * 1024 * 1024 + 1 },
        /image cap/,
      ],
      [
        "a video over its cap",
        { contentType: "video/mp4", sizeBytes: 100 * 1024 * 1024 + 1 },
        /video cap/,
      ],
      ["a short checksum", { sha256: "abc" }, /64 hex digits/],
      ["a checksum that is not hex", { sha256: "z".repeat(64) }, /64 hex digits/],
      ["a malformed owner", { ownerId: "a b" }, /owner_id/],
    ];
    for (const [what, change, reason] of refusals) {
      it(`should refuse ${what}`, async () => {
        const refused = await failureOf(d.createUpload({ ...good(), ...change } as never));
        assert.equal(refused.code, "invalid_argument");
        assert.match(refused.message, reason);
      });
    }

    it("should refuse malformed media ids", async () => {
      for (const call of [
        () => d.complete("oli", "../x"),
        () => d.download("oli", "not-a-uuid"),
        () => d.attach({ senderId: "oli", mediaId: "", conversationId: "g_x", recipientId: "" }),
      ]) {
        const refused = await failureOf(call());
        assert.equal(refused.code, "invalid_argument");
        assert.match(refused.message, /media_id/);
      }
    });

    const names: [string, string][] = [
      ["..", ""],
      ["a/../../b", "b"],
      ["..\\..\\windows\\system32\\x.dll", "x.dll"],
      ["invoice\u202Efdp.exe", "invoicefdp.exe"],
      ["tab\tand\u0000nul.txt", "tabandnul.txt"],
      ["/", ""],
      ["zero\u200Bwidth\uFEFF.txt", "zerowidth.txt"],
      ["line\u2028break\u00AD.txt", "linebreak.txt"],
      ["family \u{1F468}\u200D\u{1F469}.png", "family \u{1F468}\u200D\u{1F469}.png"],
    ];
    names.forEach(([raw, kept], i) => {
      it(`should keep the file name ${JSON.stringify(raw)} as ${JSON.stringify(kept)}`, async () => {
        const { media } = await d.grantAndPut(`pat${i}`, randomBytes(10), "text/plain", raw);
        assert.equal(media.fileName, kept);
      });
    });

    it("should cut a very long file name to 255 bytes at a character boundary, keeping its extension", async () => {
      const { media } = await d.grantAndPut(
        "pia",
        randomBytes(10),
        "text/plain",
        `${"é".repeat(200)}.txt`,
      );
      assert.ok(Buffer.byteLength(media.fileName) <= 255);
      assert.equal(media.fileName, `${"é".repeat(125)}.txt`);
    });

    it("should hold the pending cap under parallel requests", async () => {
      const answers = await Promise.allSettled(
        Array.from({ length: 10 }, () => d.createUpload({ ...good(), ownerId: "zed" })),
      );
      assert.equal(answers.filter((a) => a.status === "fulfilled").length, 3);
    });

    it("should refuse a grant past the owner's pending cap", async () => {
      for (let i = 0; i < 3; i++) await d.createUpload({ ...good(), ownerId: "quinn" });
      const refused = await failureOf(d.createUpload({ ...good(), ownerId: "quinn" }));
      assert.equal(refused.code, "rate_limited");
      assert.match(refused.message, /at most 3 uploads/);
      await d.createUpload({ ...good(), ownerId: "rae" });
    });
  });
});

describe("svc-media: expired uploads", function () {
  this.timeout(30_000);
  let d: MediaDeployment;
  before(async () => {
    d = await MediaDeployment.start({
      // Presigned URLs count whole seconds from a signing time truncated to
      // the second, so a grant of 3 s is good for at least 1 s: enough for
      // the PUT on a busy machine.
      MEDIA_UPLOAD_TTL_MS: "3000",
      MEDIA_SWEEP_INTERVAL_MS: "100",
      MEDIA_SWEEP_GRACE_MS: "0",
    });
  });
  after(async () => d?.dispose());

  it("should refuse a completion and a PUT after the grant expired, and sweep row and object", async () => {
    const bytes = randomBytes(200);
    const { media, status, granted } = await d.grantAndPut("sam", bytes, "text/plain");
    assert.equal(status, 200, "uploaded in time");
    const uploadedLate = await d.createUpload({
      ownerId: "sam",
      contentType: "text/plain",
      sizeBytes: bytes.length,
      sha256: sha256(bytes),
    });
    await new Promise((resolve) => setTimeout(resolve, 3_700));

    assert.equal(await put(uploadedLate, bytes), 403, "storage refuses an expired URL");
    // Expired, or already swept (grace 0): either way, no completion.
    const expired = await failureOf(d.complete("sam", uploadedLate.media!.mediaId));
    assert.ok(
      expired.code === "failed_precondition" || expired.code === "not_found",
      `${expired.code}: ${expired.message}`,
    );

    // The sweeper removes the uncompleted upload: row and object.
    const deadline = Date.now() + 10_000;
    for (;;) {
      const { rows } = await d.pool.query(`SELECT 1 FROM "${d.schema}".media WHERE media_id = $1`, [
        media.mediaId,
      ]);
      if (rows.length === 0) break;
      assert.ok(Date.now() < deadline, "swept within 10 s");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(await put(granted, bytes), 403);
    assert.equal(await d.objectExists(`uploads/${media.mediaId}`), false, "the upload was deleted");
    assert.equal((await failureOf(d.complete("sam", media.mediaId))).code, "not_found");
  });

  it("should not mark ready an upload whose grant and grace ended during its check", async () => {
    const store = new MediaStore(d.schemaPool());
    const { media } = await d.grantAndPut("tom", randomBytes(10), "text/plain");
    await new Promise((resolve) => setTimeout(resolve, 3_100));
    const verified = { width: 0, height: 0, thumbnail: undefined };
    assert.equal(await store.markReady(media.mediaId, verified, 0), undefined);
  });
});
