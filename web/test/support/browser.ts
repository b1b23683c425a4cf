import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";

/** Debian's chromium (`apt-get install chromium`); a browser is never downloaded. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export const ARTIFACTS = fileURLToPath(new URL("../../test-artifacts/", import.meta.url));

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** A phone-sized page of its own (own storage, so its own device). */
export async function newPhone(browser: Browser, baseUrl: string): Promise<Page> {
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport: { width: 390, height: 760 },
    deviceScaleFactor: 2,
  });
  const page = await context.newPage();
  page.on("pageerror", (err) => console.error(`[page] ${err.message}`));
  if (process.env.TEST_BROWSER_LOGS) {
    page.on("console", (msg) => console.log(`[console] ${msg.text()}`));
    page.on("websocket", (ws) => {
      ws.on("framesent", (f) => console.log(`[ws >] ${String(f.payload)}`));
      ws.on("framereceived", (f) => console.log(`[ws <] ${String(f.payload)}`));
    });
  }
  return page;
}

/** Opens the client and signs in as `user`. */
export async function signIn(page: Page, user: string): Promise<void> {
  await page.goto("/");
  await page.getByTestId("signin-user").fill(user);
  await page.getByTestId("signin-submit").click();
  await page.getByTestId("new-chat").waitFor();
}

/** Starts a 1:1 chat with `peer` from the conversation list. */
export async function startChat(page: Page, peer: string): Promise<void> {
  await page.getByTestId("new-chat").click();
  await page.getByTestId("new-chat-user").fill(peer);
  await page.getByTestId("new-chat-submit").click();
  await page.getByTestId("composer-input").waitFor();
}

export async function send(page: Page, text: string): Promise<void> {
  await page.getByTestId("composer-input").fill(text);
  await page.getByTestId("composer-send").click();
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  const path = `${ARTIFACTS}${name}.png`;
  await page.screenshot({ path });
  return path;
}
