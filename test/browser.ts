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
