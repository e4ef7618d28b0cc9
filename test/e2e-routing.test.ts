import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import type { Browser } from "playwright-core";
import { eventually, release, startApp, type TestApp } from "./helpers";
import { deliveredOnce, startFakeGraph, type FakeGraph } from "./fake-graph";
import { launchBrowser, pixelContext as phoneWithPixel, screenshot, type PixelHit } from "./browser";

const PIXEL = "1234567890";

let browser: Browser;
let graph: FakeGraph;
let t: TestApp;

beforeAll(async () => {
  browser = await launchBrowser();
  graph = await startFakeGraph();
  t = await startApp({ META_PIXEL_ID: PIXEL, META_ACCESS_TOKEN: "EAAB-e2e-token", META_GRAPH_URL: graph.url });
  await t.createLink(release("night-drive", { autoRouteDelayMs: 400 }));
  await t.createLink(release("slow-route", { autoRouteDelayMs: 1500 }));
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
  await graph?.stop();
});

const pixelContext = (hits: PixelHit[]) => phoneWithPixel(browser, hits, { viewport: { width: 390, height: 844 } });

describe("fan routing in a real browser", () => {
  it("routes a returning fan to their service on its own, Pixel and server event sharing one event id", async () => {
    const hits: { ev: string; eid: string }[] = [];
    const context = await pixelContext(hits);
    const page = await context.newPage();

    // First visit: the fan taps Spotify; the click-out remembers it.
    await page.goto(`${t.base}/night-drive`);
    const first = page.waitForRequest((r) => r.url().startsWith("https://open.spotify.com/"));
    await page.click('a[data-key="spotify"]');
    await first;
    expect((await context.cookies(t.base)).find((c) => c.name === "outro_svc")?.value).toBe("spotify");

    // Next visit: nobody taps; the page leaves for Spotify by itself.
    const again = await context.newPage();
    const routed = again.waitForRequest((r) => r.url().startsWith("https://open.spotify.com/"), { timeout: 5000 });
    await again.goto(`${t.base}/night-drive?utm_source=ig`);
    await screenshot(again, "auto-route-banner");
    const outbound = await routed;
    expect(outbound.url()).toBe("https://open.spotify.com/track/abc");
    const clickUrl = new URL(outbound.redirectedFrom()!.url());
    expect(clickUrl.pathname).toBe("/night-drive/go/spotify");
    expect(clickUrl.searchParams.get("auto")).toBe("1");
    expect(clickUrl.searchParams.get("utm_source")).toBe("ig");
    const eid = clickUrl.searchParams.get("eid")!;
    expect(eid).toMatch(/^[A-Za-z0-9_-]{8,64}$/);

    expect(hits).toContainEqual({ ev: "Lead", eid });
    const sent = await deliveredOnce(graph, eid);
    expect(sent.event_name).toBe("Lead");
    expect(sent.custom_data).toMatchObject({ platform: "spotify" });
    // Counted as an auto-route.
    expect(t.db.query<{ route: string | null }, [string]>("SELECT route FROM clicks WHERE event_id = ?1").get(eid)).toEqual({ route: "auto" });
    await context.close();
  }, 30_000);

  it("stays on the page when the fan asks for every service", async () => {
    const hits: { ev: string; eid: string }[] = [];
    const context = await pixelContext(hits);
    await context.addCookies([{ name: "outro_svc", value: "apple-music", url: t.base }]);
    const page = await context.newPage();
    const left: string[] = [];
    page.on("request", (r) => { if (r.url().startsWith("https://music.apple.com/")) left.push(r.url()); });
    await page.goto(`${t.base}/slow-route`);
    expect(await page.textContent(".autoroute")).toContain("Opening Apple Music");
    await page.click(".show-all");
    expect(await page.$(".autoroute")).toBeNull();
    await Bun.sleep(2000);
    expect(left).toEqual([]);
    expect(new URL(page.url()).pathname).toBe("/slow-route");
    expect(hits.filter((h) => h.ev === "Lead")).toEqual([]);
    await context.close();
  }, 30_000);
});
