import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import type { Browser, Page } from "playwright-core";
import { System } from "../../e2e/support/system.js";
import {
  launchChromium,
  newPhone,
  screenshot,
  send,
  signIn,
  startChat,
} from "./support/browser.js";

const WEB_DIR = fileURLToPath(new URL("../dist", import.meta.url));

/** A photo-like PNG (noise), big enough to be thumbnailed. */
function photo(width: number, height: number): Promise<Buffer> {
  const pixels = randomBytes(width * height * 3);
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

const message = (page: Page, text: string) => page.getByTestId("message").filter({ hasText: text });

describe("web client: two people in two browsers, on the whole system", function () {
  this.timeout(120_000);
  let system: System;
  let browser: Browser;
  let base: string;
  let n = 0;
  // Users of their own per run: the system's namespace is new, but names
  // make failures readable.
  const user = (name: string) => `${name}-${++n}`;

  before(async () => {
    system = await System.start(
      {
        EDGE_WEB_DIR: WEB_DIR,
        EDGE_DEV_TOKENS: "true",
        // Presence shows within a second instead of five.
        EDGE_PRESENCE_INTERVAL_MS: "500",
      },
      { media: true },
    );
    base = system.edgeUrl.replace(/^ws/, "http").replace(/\/ws$/, "");
    browser = await launchChromium();
  });

  // Pages of the running test, photographed when it fails.
  const pages: Page[] = [];
  const phone = async () => {
    const page = await newPhone(browser, base);
    pages.push(page);
    return page;
  };
  afterEach(async function () {
    const open = pages.splice(0);
    if (this.currentTest?.state === "failed") {
      for (const [i, page] of open.entries()) {
        await screenshot(page, `failed-${n}-${i}`).catch(() => {});
      }
    }
    await Promise.all(open.map((page) => page.context().close()));
  });

  after(async () => {
    await browser?.close();
    await system?.stop();
  });

  it("should send, receive, show read receipts, typing and presence, and keep history over a reload", async () => {
    const [alice, bob] = [user("alice"), user("bob")];
    const [a, b] = [await phone(), await phone()];
    await signIn(a, alice);
    await signIn(b, bob);

    await startChat(a, bob);
    await send(a, "hi bob, lunch?");
    // Sent, then stored: the inbox copy replaces the pending one.
    await message(a, "hi bob, lunch?")
      .and(a.locator("[data-mark=sent], [data-mark=delivered]"))
      .waitFor();

    // Bob's list shows the conversation, unread, with its last message.
    const row = b.getByTestId("conversation-row").filter({ hasText: alice });
    await row.getByTestId("unread").filter({ hasText: "1" }).waitFor();
    assert.match(await row.innerText(), /hi bob, lunch\?/);
    await row.click();
    await message(b, "hi bob, lunch?").waitFor();

    // Bob read it: Alice's mark turns to read.
    await message(a, "hi bob, lunch?").and(a.locator("[data-mark=read]")).waitFor();

    // Typing reaches Alice; then the answer.
    await b.getByTestId("composer-input").pressSequentially("sure", { delay: 20 });
    await a
      .getByTestId("chat-subtitle")
      .filter({ hasText: `${bob} is typing` })
      .waitFor();
    await b.getByTestId("composer-send").click();
    await message(a, "sure").waitFor();
    await a
      .getByTestId("chat-subtitle")
      .filter({ hasText: /^online$/ })
      .waitFor({ timeout: 15_000 });

    // Alice had the chat open: Bob's answer is read at once.
    await message(b, "sure").and(b.locator("[data-mark=read]")).waitFor();
    await screenshot(a, "chat-alice");

    // A reload signs in again and reads the history back.
    await b.reload();
    await b.getByTestId("conversation-row").filter({ hasText: alice }).click();
    await message(b, "hi bob, lunch?").waitFor();
    await message(b, "sure").waitFor();
    assert.equal(await b.getByTestId("unread").count(), 0);
    await screenshot(b, "chat-bob-after-reload");
  });

  it("should show no error after the first message of a new chat or a new group", async () => {
    const [alice, bob, carol] = [user("alice"), user("bob"), user("carol")];
    const [a, b, c] = [await phone(), await phone(), await phone()];
    await signIn(a, alice);
    await signIn(b, bob);
    await signIn(c, carol);

    // The conversation is stored a moment after the first send is answered,
    // and the sender reads it at once: until then it is refused.
    await startChat(a, bob);
    await send(a, "first words");
    await message(a, "first words").and(a.locator("[data-mark]")).waitFor();
    await b.getByTestId("conversation-row").filter({ hasText: alice }).click();
    await message(b, "first words").waitFor();

    // A group's events can reach its members before the group is readable.
    await a.getByRole("button", { name: "Back" }).click();
    await a.getByTestId("new-group").click();
    await a.getByTestId("new-group-title").fill("Ropes");
    await a.getByTestId("new-group-members").fill(`${bob} ${carol}`);
    await a.getByTestId("new-group-submit").click();
    await c.getByTestId("conversation-row").filter({ hasText: "Ropes" }).click();
    await send(c, "hello ropes");
    await message(a, "hello ropes").waitFor();
    await b.getByRole("button", { name: "Back" }).click();
    await b.getByTestId("conversation-row").filter({ hasText: "Ropes" }).click();
    await message(b, "hello ropes").waitFor();

    // Refusals of a conversation met moments ago are retried quietly: give
    // a wrongly shown one time to appear.
    await a.waitForTimeout(1_500);
    for (const page of [a, b, c]) assert.equal(await page.getByTestId("notice").count(), 0);
  });

  it("should have an icon, so the browser does not ask for a missing /favicon.ico", async () => {
    const page = await phone();
    await page.goto("/");
    // Playwright does not report the browser's own favicon requests: check
    // that the page names an icon and that it is served.
    const href = await page.locator("link[rel=icon]").getAttribute("href");
    assert.ok(href);
    const icon = await page.request.get(href);
    assert.equal(icon.status(), 200);
    assert.match(icon.headers()["content-type"] ?? "", /^image\/svg\+xml/);
  });

  it("should attach an image, show its thumbnail to both, and open it full size", async () => {
    const [alice, bob] = [user("alice"), user("bob")];
    const [a, b] = [await phone(), await phone()];
    await signIn(a, alice);
    await signIn(b, bob);
    await startChat(a, bob);
    await send(a, "look at this");
    await a.getByTestId("composer-input").fill("the beach");
    await a.getByTestId("attach-input").setInputFiles({
      name: "beach.png",
      mimeType: "image/png",
      buffer: await photo(800, 600),
    });

    await a.getByTestId("thumbnail").waitFor();
    await b.getByTestId("conversation-row").filter({ hasText: alice }).click();
    const thumbnail = b.getByTestId("thumbnail");
    await thumbnail.waitFor();
    assert.match((await thumbnail.getAttribute("src")) ?? "", /^data:image\/jpeg;base64,/);
    await message(b, "the beach").waitFor();
    await screenshot(b, "chat-image");

    await thumbnail.click();
    const full = b.getByTestId("viewer-image");
    await full.waitFor();
    // The full image loaded from storage through a download URL.
    await b.waitForFunction(
      "document.querySelector('[data-testid=viewer-image]')?.naturalWidth === 800",
    );
  });

  it("should show offline while the edge is down, then reconnect and deliver what was sent meanwhile", async () => {
    const [alice, bob] = [user("alice"), user("bob")];
    const [a, b] = [await phone(), await phone()];
    await signIn(a, alice);
    await signIn(b, bob);
    await startChat(a, bob);
    await send(a, "before");
    await b.getByTestId("conversation-row").filter({ hasText: alice }).click();
    await message(b, "before").waitFor();

    await system.kill("edge");
    await a.getByTestId("status-offline").waitFor();
    await send(a, "while offline");
    await message(a, "while offline").and(a.locator("[data-mark=sending]")).waitFor();

    await system.startOne("edge");
    await message(b, "while offline").waitFor({ timeout: 60_000 });
    await message(a, "while offline").and(a.locator("[data-mark=read]")).waitFor();
    assert.equal(await a.getByTestId("status-offline").count(), 0);
  });
});
