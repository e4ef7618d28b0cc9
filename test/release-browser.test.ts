import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import type { Browser } from "playwright-core";
import { release, startApp, type TestApp } from "./helpers";
import { launchBrowser, newContext, screenshot } from "./browser";

// Headless Chromium says "HeadlessChrome", which isbot rightly calls a bot: browse as a phone.
const FAN_UA = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36";
const MOMENT = Date.parse("2027-01-14T23:00:00Z");

// A browser on two shared cores needs more than bun's 5 s default, as the other Chromium tests do.
setDefaultTimeout(30_000);

let browser: Browser;
let t: TestApp;
let now = MOMENT - 90_000;

beforeAll(async () => {
  browser = await launchBrowser();
  t = await startApp({}, { clock: () => now });
  await t.createLink(release("night-drive", {
    releaseDate: "2027-01-15", releaseTimeZone: "Europe/Berlin", presaves: [{ url: "https://open.spotify.com/prerelease/3xYz" }],
  }));
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe("countdown in Chromium", () => {
  it("ticks under the page's CSP, and at the moment reloads into the smart link", async () => {
    const context = await newContext(browser, { userAgent: FAN_UA, viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    const errors: string[] = [];
    // Script errors and CSP refusals; the artwork's host is offline here on purpose, so failed images are not counted.
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => { if (/Refused|Content Security Policy/i.test(m.text())) errors.push(m.text()); });
    // The browser's clock and the server's agree, both 90 s before the moment.
    await page.clock.install({ time: now });
    await page.goto(`${t.base}/night-drive`);
    // The server wrote minutes; seconds can only come from the script.
    await page.waitForFunction(() => /In 1 minute, 30 seconds/.test(document.querySelector(".time-left")?.textContent ?? ""));
    expect(await page.locator("a.dest").getAttribute("href")).toBe("/night-drive/go/presave-spotify");
    await screenshot(page, "release-countdown");

    now = MOMENT + 5_000;
    await page.clock.fastForward(100_000);
    await page.waitForSelector('a.dest[href="/night-drive/go/spotify"]', { timeout: 20_000 });
    expect(await page.locator(".countdown").count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("shows the moment and the time left without JavaScript", async () => {
    now = MOMENT - 3 * 86_400_000;
    const context = await newContext(browser, { userAgent: FAN_UA, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${t.base}/night-drive`);
    expect(await page.locator(".countdown h2").textContent()).toBe("Out Friday, 15 January 2027, 00:00 (Europe/Berlin)");
    expect(await page.locator(".time-left").textContent()).toBe("In 3 days");
    expect(await page.locator("form.signup-form button").textContent()).toBe("Notify me");
    await context.close();
  });
});
