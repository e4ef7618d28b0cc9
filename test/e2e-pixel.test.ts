import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import type { Browser, Request as PwRequest } from "playwright-core";
import { eventually, release, startApp, type TestApp } from "./helpers";
import { deliveredOnce, startFakeGraph, type FakeGraph } from "./fake-graph";
import { FAN_UA, launchBrowser, newContext, pixelContext, screenshot, type PixelHit } from "./browser";

const PIXEL = "1234567890";

let browser: Browser;
let graph: FakeGraph;
let t: TestApp;

beforeAll(async () => {
  browser = await launchBrowser();
  graph = await startFakeGraph();
  t = await startApp({ META_PIXEL_ID: PIXEL, META_ACCESS_TOKEN: "EAAB-e2e-token", META_GRAPH_URL: graph.url });
  await t.createLink(release());
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
  await graph?.stop();
});

describe("Pixel and Conversions API in a real browser", () => {
  it("fires the click-out with the same event id the server sends, then lands on the stored URL", async () => {
    const pixelHits: PixelHit[] = [];
    const context = await pixelContext(browser, pixelHits, { viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(`${t.base}/night-drive?utm_source=ig&fbclid=E2E_fbclid-1`);
    await eventually(() => expect(pixelHits.map((h) => h.ev)).toContain("PageView"));
    await screenshot(page, "smart-link-mobile");

    const leaving = page.waitForRequest((r) => r.url().startsWith("https://open.spotify.com/"));
    await page.click('a[data-key="spotify"]');
    const outbound: PwRequest = await leaving;

    // The browser got to the stored URL through the click-out's 302.
    expect(outbound.url()).toBe("https://open.spotify.com/track/abc");
    const clickOut = outbound.redirectedFrom()!;
    const clickUrl = new URL(clickOut.url());
    expect(clickUrl.pathname).toBe("/night-drive/go/spotify");
    expect(clickUrl.searchParams.get("utm_source")).toBe("ig");
    const eid = clickUrl.searchParams.get("eid")!;
    expect(eid).toMatch(/^[A-Za-z0-9_-]{8,64}$/);

    // The Pixel fired Lead with that event id before the page left.
    expect(pixelHits).toContainEqual({ ev: "Lead", eid });

    // The fake Graph API received the same event id for the same event, once, with the fbclid byte-exact.
    const sent = await deliveredOnce(graph, eid);
    expect(sent.event_name).toBe("Lead");
    expect(sent.user_data.fbc).toMatch(/^fb\.1\.\d{13}\.E2E_fbclid-1$/);
    expect(sent.custom_data).toMatchObject({ content_category: "spotify", platform: "spotify", content_type: "music" });

    // The PageView pair matches too, and the browser's beacon acknowledged both.
    const pageViewEid = pixelHits.find((h) => h.ev === "PageView")!.eid;
    await eventually(() => expect(graph.requests.flatMap((r) => r.body.data).some((e) => e.event_name === "PageView" && e.event_id === pageViewEid)).toBe(true), 5000);
    await eventually(() => {
      const acks = t.db.query<{ event_id: string }, []>("SELECT event_id FROM browser_acks").all().map((r) => r.event_id);
      expect(acks).toEqual(expect.arrayContaining([eid, pageViewEid]));
    });
    await context.close();
  }, 30_000);

  it("still counts the click on the server when the Pixel is blocked", async () => {
    const ackCount = t.db.query<{ n: number }, []>("SELECT COUNT(*) AS n FROM browser_acks").get()!.n;
    const context = await newContext(browser, { external: () => false, userAgent: FAN_UA });
    const page = await context.newPage();
    await page.goto(`${t.base}/night-drive`);
    const leaving = page.waitForRequest((r) => r.url().startsWith("https://music.apple.com/"));
    await page.click('a[data-key="apple-music"]');
    const eid = new URL((await leaving).redirectedFrom()!.url()).searchParams.get("eid")!;
    await eventually(() => expect(graph.requests.flatMap((r) => r.body.data).some((e) => e.event_id === eid)).toBe(true), 5000);
    // The Pixel never loaded, so the page claims nothing: the delivery log shows "browser ✗" for it.
    const proof = await (await t.api("GET", `/api/events/${eid}`)).json();
    expect(proof.browserFired).toBe(false);
    expect(t.db.query("SELECT COUNT(*) AS n FROM browser_acks").get()).toEqual({ n: ackCount });
    await context.close();
  }, 30_000);

  it("signs a fan up in place and fires CompleteRegistration with the server's event id", async () => {
    const { id } = t.db.query<{ id: number }, []>("SELECT id FROM links WHERE slug = 'night-drive'").get()!;
    t.db.run("INSERT OR REPLACE INTO link_options (link_id, email_signup) VALUES (?, 1)", [id]);
    t.outro.links.touch();
    const pixelHits: PixelHit[] = [];
    const context = await pixelContext(browser, pixelHits);
    const page = await context.newPage();
    await page.goto(`${t.base}/night-drive`);
    await page.fill("#signup-email", "Browser.Fan@Example.com");
    await page.check("input[name=consent]");
    await Bun.sleep(2100); // the form refuses anything filled in faster than a person could
    await page.click(".signup-form button");
    await page.waitForSelector(".signup-form", { state: "detached" });
    expect(await page.textContent(".signup-msg")).toBe("Thanks — you're on the list.");
    expect(new URL(page.url()).pathname).toBe("/night-drive");
    await screenshot(page, "signup-done");
    const stored = await eventually(() => {
      const row = t.db.query<{ event_id: string }, []>("SELECT event_id FROM capi_events WHERE event_name = 'CompleteRegistration'").get();
      expect(row).not.toBeNull();
      return row!;
    });
    await eventually(() => expect(pixelHits).toContainEqual({ ev: "CompleteRegistration", eid: stored.event_id }));
    expect(t.db.query<{ email: string }, []>("SELECT email FROM fans").all()).toEqual([{ email: "browser.fan@example.com" }]);
    await context.close();
  }, 30_000);
});
