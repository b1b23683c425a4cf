import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import sharp from "sharp";
import type { MediaView, UploadGrantView } from "../../svc-edge/src/ws/frames.js";
import type { TestClient, Frame } from "../../svc-edge/test/support/ws-client.js";
import { Clients, ok } from "../support/clients.js";
import { System } from "../support/system.js";

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/** A photo-like PNG: noise, so it neither compresses to nothing nor repeats. */
async function photo(width: number, height: number): Promise<Buffer> {
  const pixels = randomBytes(width * height * 3);
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

describe("e2e media: upload, send, receive and download through the edge", function () {
  this.timeout(30_000);
  let system: System;
  const clients = new Clients(() => system.edgeUrl);
  const open = (user: string) => clients.open(user);
  let n = 0;
  const id = (prefix: string) => `${prefix}${++n}`;

  /** Grant, PUT straight to storage with the grant's headers, complete. */
  async function upload(
    client: TestClient,
    bytes: Buffer,
    contentType: string,
    fileName?: string,
  ): Promise<MediaView> {
    const granted = await ok(client, {
      type: "upload",
      id: id("up"),
      content_type: contentType,
      size: bytes.length,
      sha256: sha256(bytes),
      ...(fileName === undefined ? {} : { file_name: fileName }),
    });
    assert.equal(granted.type, "upload_grant");
    const grant = granted.upload as UploadGrantView;
    const put = await fetch(grant.url, {
      method: grant.method,
      headers: grant.headers,
      body: new Uint8Array(bytes),
    });
    assert.equal(put.status, 200, await put.text());
    const done = await ok(client, {
      type: "upload_done",
      id: id("done"),
      media_id: (granted.media as MediaView).media_id,
    });
    assert.equal(done.type, "media");
    return done.media as MediaView;
  }

  async function download(client: TestClient, mediaId: string, thumbnail = false) {
    const answer = await client.request({
      type: "download",
      id: id("dl"),
      media_id: mediaId,
      thumbnail,
    });
    if (answer.type === "error") return answer;
    const got = await fetch(answer.url as string);
    assert.equal(got.status, 200);
    return Buffer.from(await got.arrayBuffer());
  }

  before(async () => {
    system = await System.start({}, { media: true });
  });

  afterEach(async () => {
    await clients.closeAll();
  });

  after(async () => {
    await system?.stop();
  });

  it("should carry a photo from sender to recipient byte for byte, with a thumbnail in the message", async () => {
    const [alice, bob] = await Promise.all([open("m-alice"), open("m-bob")]);
    const bytes = await photo(640, 480);
    const media = await upload(alice!, bytes, "image/png", "../../holiday.png");
    assert.equal(media.file_name, "holiday.png");
    assert.equal(media.width, 640);
    assert.equal(media.height, 480);

    const sent = await ok(alice!, {
      type: "send",
      id: id("s"),
      to: "m-bob",
      media_id: media.media_id,
      body: "the beach",
    });
    const [got] = await bob!.messages(1);
    const message = got!.message as { id: string; body: string; media: MediaView };
    assert.equal(message.id, sent.message_id);
    assert.equal(message.body, "the beach");
    assert.equal(message.media.media_id, media.media_id);
    assert.equal(message.media.sha256, sha256(bytes));
    assert.equal(message.media.size, bytes.length);
    const thumbnail = Buffer.from(message.media.thumbnail!, "base64");
    const thumbnailInfo = await sharp(thumbnail).metadata();
    assert.equal(thumbnailInfo.format, "jpeg");
    assert.ok(thumbnail.length < 16_384, `thumbnail of ${thumbnail.length} bytes`);

    const downloaded = await download(bob!, media.media_id);
    assert.ok(Buffer.isBuffer(downloaded), JSON.stringify(downloaded));
    assert.ok(downloaded.equals(bytes), "the recipient downloads exactly what was uploaded");
    const storedThumbnail = await download(bob!, media.media_id, true);
    assert.ok(Buffer.isBuffer(storedThumbnail) && storedThumbnail.equals(thumbnail));

    const page = await ok(bob!, {
      type: "history",
      id: id("h"),
      conversation_id: sent.conversation_id,
    });
    const stored = (page.messages as { id: string; media?: MediaView }[]).find(
      (m) => m.id === sent.message_id,
    );
    assert.deepEqual(stored?.media, message.media);
  });

  it("should send a file without a caption and refuse it to a user outside the conversation", async () => {
    const [alice, bob, eve] = await Promise.all([open("f-alice"), open("f-bob"), open("f-eve")]);
    const pdf = Buffer.concat([Buffer.from("%PDF-1.4\n"), randomBytes(50_000)]);
    const media = await upload(alice!, pdf, "application/pdf", "report.pdf");
    await ok(alice!, { type: "send", id: id("s"), to: "f-bob", media_id: media.media_id });
    const [got] = await bob!.messages(1);
    const message = got!.message as { body: string; media: MediaView };
    assert.equal(message.body, "");
    assert.equal(message.media.thumbnail, undefined);
    assert.ok(((await download(bob!, media.media_id)) as Buffer).equals(pdf));

    const refused = (await download(eve!, media.media_id)) as Frame;
    assert.equal(refused.type, "error");
    assert.equal(refused.code, "not_found");
  });

  it("should let only current group members download media sent to the group", async () => {
    const [admin, member] = await Promise.all([open("g-admin"), open("g-member")]);
    const created = await ok(admin!, {
      type: "create_group",
      id: id("g"),
      title: "photos",
      members: ["g-member"],
    });
    const group = (created.conversation as { conversation_id: string }).conversation_id;
    const media = await upload(admin!, await photo(64, 48), "image/png");
    await ok(admin!, {
      type: "send",
      id: id("s"),
      conversation_id: group,
      media_id: media.media_id,
    });
    assert.ok(Buffer.isBuffer(await download(member!, media.media_id)));

    await ok(admin!, {
      type: "remove_member",
      id: id("rm"),
      conversation_id: group,
      user_id: "g-member",
    });
    const refused = (await download(member!, media.media_id)) as Frame;
    assert.equal(refused.code, "not_found");
  });

  it("should refuse to send media that is someone else's or not uploaded yet", async () => {
    const [alice, bob] = await Promise.all([open("x-alice"), open("x-bob")]);
    const mine = await upload(alice!, await photo(32, 32), "image/png");
    // bob sends alice's media: it is not his.
    const stolen = await bob!.request({
      type: "send",
      id: id("s"),
      to: "x-alice",
      media_id: mine.media_id,
    });
    assert.equal(stolen.code, "not_found");

    const bytes = await photo(32, 32);
    const granted = await ok(bob!, {
      type: "upload",
      id: id("up"),
      content_type: "image/png",
      size: bytes.length,
      sha256: sha256(bytes),
    });
    const pending = await bob!.request({
      type: "send",
      id: id("s"),
      to: "x-alice",
      media_id: (granted.media as MediaView).media_id,
    });
    assert.equal(pending.code, "failed_precondition");
    assert.equal(alice!.receivedMessages().length, 0, "nothing refused was delivered");
  });
  it("should answer bad media frames with error frames and keep the connection", async () => {
    const alice = (await open("b-alice"))!;
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ type: "upload", content_type: "image/png", size: "big", sha256: "0".repeat(64) }, /size/],
      [
        { type: "upload", content_type: "text/html", size: 10, sha256: "0".repeat(64) },
        /not accepted/,
      ],
      [{ type: "upload", content_type: "image/png", size: 10, sha256: "beef" }, /64 hex digits/],
      [{ type: "upload_done", media_id: "../../etc" }, /media_id/],
      [{ type: "download", media_id: 7 }, /media_id/],
    ];
    for (const [frame, reason] of bad) {
      const answer = await alice.request({ ...frame, id: id("bad") });
      assert.equal(answer.type, "error", JSON.stringify(frame));
      assert.equal(answer.code, "invalid_argument", JSON.stringify(answer));
      assert.match(String(answer.reason), reason);
    }
    // Still connected, and still able to upload.
    await upload(alice, Buffer.from("still here"), "text/plain");
  });
});
