import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { ROOT } from "./helpers";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Flags that keep Debian's Chromium quiet and offline (see STACK-NOTES). */
export const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

export const SCREENSHOTS = join(ROOT, "test-output", "screenshots");

/** Launches headless Chromium; callers close it in afterAll. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export interface ContextOptions {
  /** Answers requests to other hosts (e.g. a stub Pixel script); return false to abort them. */
  external?: (url: URL) => { status?: number; contentType?: string; body: string } | false;
  viewport?: { width: number; height: number };
  userAgent?: string;
  /** false to prove a page works without scripts. */
  javaScriptEnabled?: boolean;
}

/**
 * A fresh browser context whose requests to anything but 127.0.0.1 are aborted (or stubbed by
 * `external`), so a test never reaches the internet.
 */
export async function newContext(browser: Browser, opts: ContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport: opts.viewport ?? { width: 1200, height: 900 },
    ...(opts.userAgent ? { userAgent: opts.userAgent } : {}),
    acceptDownloads: true,
    javaScriptEnabled: opts.javaScriptEnabled ?? true,
  });
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === "127.0.0.1") return route.continue();
    const stub = opts.external?.(url);
    if (stub) return route.fulfill({ status: stub.status ?? 200, contentType: stub.contentType ?? "text/plain", body: stub.body });
    return route.abort();
  });
  return context;
}

/** Saves a full-page screenshot to test-output/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

// Headless Chromium says "HeadlessChrome", which isbot rightly calls a bot: browse as a phone.
export const FAN_UA = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36";

// Stands in for fbevents.js: takes over Meta's queue and, like the real Pixel, sends each
// event to facebook.com/tr with its event id.
export const STUB_PIXEL = `(function () {
  var fbq = window.fbq, queued = fbq.queue || [];
  fbq.callMethod = function () {
    var a = Array.prototype.slice.call(arguments), m = a[0];
    if (m !== "track" && m !== "trackCustom" && m !== "trackSingle" && m !== "trackSingleCustom") return;
    var single = m.indexOf("Single") > 0, pixel = single ? a[1] : "all", ev = single ? a[2] : a[1], opts = a[single ? 4 : 3] || {};
    new Image().src = "https://www.facebook.com/tr?id=" + pixel + "&ev=" + encodeURIComponent(ev) + "&eid=" + encodeURIComponent(opts.eventID || "");
  };
  for (var i = 0; i < queued.length; i++) fbq.callMethod.apply(fbq, queued[i]);
  fbq.queue = [];
})();`;

export interface PixelHit {
  ev: string;
  eid: string;
}

/** A phone's browser context where the stub Pixel loads and every event it sends lands in `hits`. */
export function pixelContext(browser: Browser, hits: PixelHit[], opts: ContextOptions = {}): Promise<BrowserContext> {
  return newContext(browser, {
    userAgent: FAN_UA,
    ...opts,
    external: (url) => {
      if (url.href.startsWith("https://connect.facebook.net/en_US/fbevents.js")) return { contentType: "text/javascript", body: STUB_PIXEL };
      if (url.hostname === "www.facebook.com" && url.pathname === "/tr") {
        hits.push({ ev: url.searchParams.get("ev")!, eid: url.searchParams.get("eid")! });
        return { contentType: "image/gif", body: "" };
      }
      return false;
    },
  });
}
