import { afterAll, afterEach, beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { readFileSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchBrowser, newContext, screenshot } from "./browser";
import { release, startApp, type TestApp } from "./helpers";
import { AdminClient, ADMIN_PASSWORD, GIF_1PX, NOT_AN_IMAGE, PNG_1PX } from "./admin-client";

let browser: Browser;
let t: TestApp | undefined;
let context: BrowserContext | undefined;

beforeAll(async () => { browser = await launchBrowser(); });
afterAll(async () => { await browser?.close(); });
afterEach(async () => {
  await context?.close();
  await t?.close();
  context = undefined;
  t = undefined;
});

// A browser test takes seconds, and a test that times out gets its browser killed under it.
setDefaultTimeout(30_000);

const PHONE = { width: 390, height: 844 };

async function open(env: Record<string, string> = { ADMIN_PASSWORD }, viewport?: { width: number; height: number }, javaScriptEnabled = true): Promise<Page> {
  t = await startApp(env);
  context = await newContext(browser, { viewport, javaScriptEnabled });
  const page = await context.newPage();
  page.setDefaultTimeout(5000);
  return page;
}

async function signIn(page: Page, password = ADMIN_PASSWORD) {
  await page.goto(`${t!.base}/admin`);
  await page.fill('input[name="password"]', password);
  await page.click('button[type="submit"]');
}

describe("admin in a browser: sign-in", () => {
  it("runs the one-time setup, then signs out and in again", async () => {
    const page = await open({});
    await page.goto(`${t!.base}/admin`);
    expect(new URL(page.url()).pathname).toBe("/admin/setup");
    await screenshot(page, "01-setup");
    await page.fill('input[name="password"]', "my-new-password");
    await page.fill('input[name="confirm"]', "my-new-password");
    await page.click('button[type="submit"]');
    await page.waitForURL(`${t!.base}/admin`);
    expect(await page.textContent("h1")).toBe("Links");
    await screenshot(page, "02-dashboard-empty");
    await page.click("text=Sign out");
    await page.waitForURL(`${t!.base}/admin/login`);
    expect((await page.goto(`${t!.base}/admin/setup`))!.status()).toBe(404);
    await signIn(page, "my-new-password");
    await page.waitForURL(`${t!.base}/admin`);
  });

  it("says when the password is wrong and pauses sign-in after 5 failures", async () => {
    const page = await open();
    await signIn(page, "wrong-password");
    expect(await page.textContent(".field-error")).toBe("That password is not right.");
    expect(await page.getAttribute('input[name="password"]', "aria-invalid")).toBe("true");
    // Three more failures from the same address over plain HTTP, then a fifth in the browser.
    const admin = new AdminClient(t!);
    for (let i = 0; i < 3; i++) expect((await admin.signIn("wrong-password")).status).toBe(401);
    await page.fill('input[name="password"]', "wrong-password");
    await page.click('button[type="submit"]');
    await page.waitForLoadState();
    expect(await page.textContent(".field-error")).toBe("That password is not right.");
    await page.fill('input[name="password"]', ADMIN_PASSWORD);
    const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), page.click('button[type="submit"]')]);
    expect(response.status()).toBe(429);
    expect(await page.textContent(".alert.error")).toContain("Too many wrong passwords from your address");
    await screenshot(page, "04-login-rate-limited");
    await page.goto(`${t!.base}/admin`);
    expect(new URL(page.url()).pathname).toBe("/admin/login");
  });

  it("rejects a form whose CSRF token was tampered with", async () => {
    const page = await open();
    await signIn(page);
    await page.goto(`${t!.base}/admin/settings`);
    await page.fill('input[name="pixelId"]', "1234567890");
    await page.$eval('form[action="/admin/settings"] input[name="_csrf"]', (el) => { (el as HTMLInputElement).value = "forged"; });
    const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), page.click("text=Save settings")]);
    expect(response.status()).toBe(403);
    expect(await page.textContent("h1")).toBe("This form could not be checked");
    expect(t!.db.query("SELECT value FROM settings WHERE key = 'pixelId'").get()).toBeNull();
  });
});

describe("admin in a browser: links", () => {
  it("creates, edits, reorders and deletes a release link", async () => {
    const page = await open();
    await signIn(page);
    await page.click("text=New release link");
    await page.fill('input[name="title"]', "Night Drive");
    await page.fill('input[name="artist"]', "Babbage");
    await page.fill('input[name="slug"]', "night-drive");
    await page.fill('input[name="dest-0-url"]', "https://open.spotify.com/track/abc");
    // The script names the service while typing; without it the server does so on save.
    await page.waitForSelector('li:has(input[name="dest-0-url"]) .svc:has-text("Spotify")');
    await page.fill('input[name="dest-1-url"]', "https://music.apple.com/us/album/night-drive/123");
    await page.fill('input[name="dest-2-url"]', "https://babbage.example/merch");
    await page.fill('input[name="dest-2-label"]', "Merch");
    await page.click("text=Create release link");
    await page.waitForURL(/\/admin\/links\/night-drive\?saved=new$/);
    expect(await page.textContent(".alert.ok")).toContain("Created.");
    expect(await page.locator('.svc img[src="/assets/icons/apple-music.svg"]').count()).toBe(1);
    await screenshot(page, "06-edit-release");

    // Add a row with the button, then reorder and remove with the position fields and checkboxes.
    await page.click("text=Add a link");
    await page.fill('input[name="dest-3-url"]', "https://www.deezer.com/track/1");
    await page.fill('input[name="dest-0-pos"]', "3");
    await page.fill('input[name="dest-2-pos"]', "1");
    await page.fill('input[name="dest-3-pos"]', "2");
    await page.check('input[name="dest-1-remove"]');
    await page.fill('input[name="title"]', "Night Drive (Deluxe)");
    await page.click("text=Save changes");
    await page.waitForURL(/saved=1$/);
    const link = await (await t!.api("GET", "/api/links/night-drive")).json();
    expect(link.title).toBe("Night Drive (Deluxe)");
    expect(link.destinations.map((d: { key: string }) => d.key)).toEqual(["merch", "deezer", "spotify"]);

    // Unpublish, then the list shows it as a draft.
    await page.click("text=Unpublish");
    await page.waitForURL(/saved=1$/);
    expect((await t!.req("/night-drive")).status).toBe(404);
    await page.click("text=Publish");
    await page.waitForURL(/saved=1$/);

    await page.click("text=Delete…");
    expect(await page.textContent("h1")).toBe("Delete “Night Drive (Deluxe)”?");
    await page.click("text=Yes, delete it");
    await page.waitForURL(/\/admin\?deleted=/);
    expect(await page.textContent(".alert.ok")).toContain("Deleted");
    expect((await t!.api("GET", "/api/links/night-drive")).status).toBe(404);
  });

  it("adds, reorders and removes destinations with JavaScript off", async () => {
    const page = await open({ ADMIN_PASSWORD }, undefined, false);
    await t!.createLink(release("night-drive"));
    await signIn(page);
    await page.goto(`${t!.base}/admin/links/night-drive`);
    await page.click("text=Add a link");
    await page.fill('input[name="dest-3-url"]', "https://tidal.com/browse/track/1");
    await page.fill('input[name="dest-3-pos"]', "0");
    await page.check('input[name="dest-0-remove"]');
    // Enter in a text field saves (the first submit button is "Save"), it does not add a row.
    await page.press('input[name="title"]', "Enter");
    await page.waitForURL(/saved=1$/);
    expect(await page.locator('.svc:has-text("TIDAL"), .svc:has-text("Tidal")').count()).toBe(1);
    const link = await (await t!.api("GET", "/api/links/night-drive")).json();
    expect(link.destinations.map((d: { key: string }) => d.key)).toEqual(["tidal", "apple-music", "merch"]);
  });

  it("uploads good artwork and refuses a bad file", async () => {
    const page = await open();
    await t!.createLink(release("night-drive", { artworkUrl: null }));
    await signIn(page);
    await page.goto(`${t!.base}/admin/links/night-drive`);
    await page.setInputFiles('input[name="artworkFile"]', { name: "cover.png", mimeType: "image/png", buffer: NOT_AN_IMAGE });
    await page.click("text=Save changes");
    expect(await page.textContent("#artworkFile-error")).toBe("That file is not a JPEG, PNG, WebP or GIF image.");
    await screenshot(page, "08-upload-bad-file");
    await page.setInputFiles('input[name="artworkFile"]', { name: "cover.png", mimeType: "image/png", buffer: PNG_1PX });
    await page.click("text=Save changes");
    await page.waitForURL(/saved=1$/);
    const src = await page.getAttribute("img.thumb", "src");
    expect(src).toMatch(/^\/media\/[a-f0-9]{64}\.png$/);
    expect(await page.$eval("img.thumb", (img) => (img as HTMLImageElement).naturalWidth)).toBe(1);
    await page.setInputFiles('input[name="artworkFile"]', { name: "anim.jpg", mimeType: "image/jpeg", buffer: GIF_1PX });
    await page.click("text=Save changes");
    await page.waitForURL(/saved=1$/);
    expect(await page.getAttribute("img.thumb", "src")).toMatch(/\.gif$/);
  });

  it("edits a bio hub and previews it", async () => {
    const page = await open();
    await t!.createLink(release("night-drive"));
    await signIn(page);
    await page.click("text=New bio hub");
    await page.fill('input[name="title"]', "Babbage");
    await page.fill('input[name="slug"]', "babbage");
    await page.fill('textarea[name="bio"]', "Synth-pop from a small flat in Leeds.");
    await page.fill('input[name="dest-0-url"]', "https://babbage.example/shop");
    await page.fill('input[name="dest-0-label"]', "Merch");
    await page.fill('input[name="social-0-url"]', "https://www.instagram.com/babbage");
    await page.click("text=Add a social profile");
    await page.fill('input[name="social-1-url"]', "https://www.tiktok.com/@babbage");
    await page.click("text=Add a date");
    const future = new Date(Date.now() + 40 * 86_400_000).toISOString().slice(0, 10);
    await page.fill('input[name="tour-0-date"]', future);
    await page.fill('input[name="tour-0-city"]', "Leeds");
    await page.fill('input[name="tour-0-venue"]', "Brudenell Social Club");
    await page.fill('input[name="tour-0-ticketUrl"]', "https://tix.example/leeds");
    await page.check('input[name="emailSignup"]');
    await page.selectOption('select[name="featuredSlug"]', "night-drive");
    await page.click("text=Create bio hub");
    await page.waitForURL(/\/admin\/links\/babbage\?saved=new$/);
    await screenshot(page, "09-edit-bio-hub");
    const [preview] = await Promise.all([context!.waitForEvent("page"), page.click("text=Preview")]);
    await preview.waitForLoadState();
    expect(await preview.textContent("h1")).toBe("Babbage");
    expect(await preview.locator(".tours").textContent()).toContain("Leeds, Brudenell Social Club");
    expect(await preview.locator('.socials a[href="/babbage/go/instagram"]').count()).toBe(1);
    await screenshot(preview, "10-preview-bio-hub");
    expect(t!.db.query("SELECT COUNT(*) AS n FROM page_views").get()).toEqual({ n: 0 });
  });
});

describe("admin in a browser: settings and tools", () => {
  it("saves settings without ever echoing the access token, with a test-mode banner", async () => {
    const page = await open();
    await signIn(page);
    await page.click("nav >> text=Settings");
    const secret = "EAAB-browser-secret-token-000";
    await page.fill('input[name="pixelId"]', "1234567890");
    await page.fill('input[name="accessToken"]', secret);
    await page.fill('input[name="testEventCode"]', "TEST777");
    await page.selectOption('select[name="clickEvent"]', "custom");
    await page.fill('input[name="clickEventCustom"]', "StreamClick");
    await page.check('input[name="consentMode"][value="opt-in"]');
    await page.check('input[name="limitedDataUse"]');
    await page.click("text=Save settings");
    await page.waitForURL(/saved=1$/);
    expect(await page.textContent(".alert.ok")).toBe("Settings saved.");
    expect(await page.textContent(".banner")).toContain("Test mode is on.");
    expect(await page.inputValue('input[name="accessToken"]')).toBe("");
    expect(await page.textContent("[data-token-state]")).toBe("Set ••••••••");
    expect(await page.content()).not.toContain(secret);
    expect(await page.inputValue('input[name="clickEventCustom"]')).toBe("StreamClick");
    await screenshot(page, "11-settings");
    await page.goto(`${t!.base}/admin`);
    expect(await page.textContent(".banner")).toContain("TEST777");
  });

  it("creates an API token shown once, uses it and revokes it", async () => {
    const page = await open();
    await signIn(page);
    await page.goto(`${t!.base}/admin/settings`);
    await page.fill('input[name="name"]', "deploy bot");
    await page.click("text=Create token");
    const token = await page.inputValue("#new-token");
    expect(token).toStartWith("outro_");
    expect((await t!.api("GET", "/api/links", undefined, token)).status).toBe(200);
    await page.goto(`${t!.base}/admin/settings`);
    expect(await page.content()).not.toContain(token);
    await page.click('tr:has-text("deploy bot") >> text=Revoke');
    await page.waitForURL(/revoked=1/);
    expect(await page.locator('tr:has-text("deploy bot")').count()).toBe(0);
    expect((await t!.api("GET", "/api/links", undefined, token)).status).toBe(401);
  });

  it("downloads the QR code as PNG and SVG", async () => {
    const page = await open({ ADMIN_PASSWORD, PUBLIC_URL: "https://music.example" });
    await t!.createLink(release("night-drive"));
    await signIn(page);
    await page.goto(`${t!.base}/admin/links/night-drive`);
    for (const [label, name, magic] of [["QR (PNG)", "night-drive-qr.png", "\u0089PNG"], ["QR (SVG)", "night-drive-qr.svg", "<svg"]] as const) {
      const [download] = await Promise.all([page.waitForEvent("download"), page.click(`text=${label}`)]);
      expect(download.suggestedFilename()).toBe(name);
      const bytes = readFileSync((await download.path())!);
      expect(bytes.subarray(0, 4).toString("latin1")).toBe(magic);
    }
  });

  it("builds a UTM link from a preset and copies it", async () => {
    const page = await open({ ADMIN_PASSWORD, PUBLIC_URL: "https://music.example" });
    await context!.grantPermissions(["clipboard-read", "clipboard-write"], { origin: t!.base });
    await t!.createLink(release("night-drive"));
    await signIn(page);
    await page.click("nav >> text=UTM builder");
    await page.fill('input[name="campaign"]', "summer-tour");
    await page.click("text=TikTok");
    expect(await page.inputValue('input[name="source"]')).toBe("tiktok");
    const url = await page.inputValue("#utm-url");
    expect(url).toBe("https://music.example/night-drive?utm_source=tiktok&utm_medium=social&utm_campaign=summer-tour&utm_content=bio");
    await page.fill('input[name="content"]', "");
    await page.click("text=Build the link");
    expect(await page.inputValue("#utm-url")).toBe("https://music.example/night-drive?utm_source=tiktok&utm_medium=social&utm_campaign=summer-tour");
    await page.click('button[data-copy="#utm-url"]');
    await page.waitForSelector('button[data-copy="#utm-url"]:has-text("Copied")');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe("https://music.example/night-drive?utm_source=tiktok&utm_medium=social&utm_campaign=summer-tour");
    await screenshot(page, "13-utm-builder");
  });
});

describe("admin in a browser: look", () => {
  it("renders the main pages cleanly on a phone and a laptop", async () => {
    const page = await open({ ADMIN_PASSWORD }, PHONE);
    const link = await t!.createLink(release("night-drive"));
    await t!.createLink(release("day-walk", { title: "Day Walk", published: false }));
    await t!.createLink({ slug: "babbage", type: "bio", title: "Babbage", destinations: [{ url: "https://www.instagram.com/babbage" }] });
    const now = Date.now();
    t!.db.query("INSERT INTO rollup_hourly (link_id, hour, metric, dest_key, humans, others) VALUES (?, ?, 'view', '', 120, 3), (?, ?, 'click', 'spotify', 42, 0)")
      .run(link.id, Math.floor(now / 3_600_000), link.id, Math.floor(now / 3_600_000));
    t!.db.query(`INSERT INTO capi_events (created_at, pixel_id, link_id, event_name, event_id, event_time, payload, status, attempts, next_attempt_at, last_status, last_response)
      VALUES (?, '1234567', ?, 'Lead', 'evt-failed-01', ?, '{}', 'failed', 1, 0, 400, ?), (?, '1234567', ?, 'PageView', 'evt-sent-0001', ?, '{}', 'sent', 1, 0, 200, '{}')`)
      .run(now, link.id, Math.floor(now / 1000), JSON.stringify({ error: { message: "Invalid parameter", code: 100, error_user_msg: "The event_time is too far in the past." } }), now, link.id, Math.floor(now / 1000));
    await signIn(page);
    await page.waitForURL(`${t!.base}/admin`);
    const widths = async () => page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    for (const [path, name] of [["/admin", "phone-dashboard"], ["/admin/links/night-drive", "phone-edit-release"], ["/admin/links/babbage", "phone-edit-bio"], ["/admin/settings", "phone-settings"], ["/admin/tracking", ""], ["/admin/tools/utm?link=night-drive&preset=instagram-bio", ""]] as const) {
      await page.goto(`${t!.base}${path}`);
      if (name) await screenshot(page, name);
      const [scroll, inner] = await widths();
      // Nothing sticks out sideways on a phone (tables scroll inside their own box).
      expect(scroll).toBeLessThanOrEqual(inner!);
    }
    await page.setViewportSize({ width: 1200, height: 900 });
    for (const [path, name] of [["/admin", "14-dashboard"], ["/admin/tracking", "15-tracking"]] as const) {
      await page.goto(`${t!.base}${path}`);
      await screenshot(page, name);
    }
    expect(await page.textContent('tr[data-status="failed"] .meta-error')).toBe("The event_time is too far in the past.");
  });
});
