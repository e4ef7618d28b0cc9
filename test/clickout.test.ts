import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { HUMAN_UA, release, startApp, type TestApp } from "./helpers";

let t: TestApp;
beforeEach(async () => {
  t = await startApp();
  await t.createLink(release());
});
afterEach(async () => { await t.close(); });

const clicks = () => t.db.query<any, []>("SELECT * FROM clicks ORDER BY id").all();
const go = (path: string, headers: Record<string, string> = {}, method = "GET") =>
  t.req(path, { method, headers: { "user-agent": HUMAN_UA, ...headers } });

describe("click-out", () => {
  it("answers 302 to the stored URL only after the click is committed", async () => {
    const res = await go("/night-drive/go/spotify");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("https://open.spotify.com/track/abc");
    expect(res.headers.get("cache-control")).toBe("no-store");
    // Read at once, on another connection: the row is already there.
    const rows = clicks();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ dest_key: "spotify", kind: "human", device: "mobile" });
    expect(rows[0].event_id).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    expect(Math.abs(rows[0].ts - Date.now())).toBeLessThan(5000);
  });

  it("uses a well-formed eid and records it at most once", async () => {
    for (let i = 0; i < 3; i++) {
      const res = await go("/night-drive/go/apple-music?eid=abcDEF12_-xyz");
      expect(res.status).toBe(302);
      expect(res.headers.get("location")).toBe("https://music.apple.com/us/album/night-drive/123");
    }
    const rows = clicks();
    expect(rows).toHaveLength(1);
    expect(rows[0].event_id).toBe("abcDEF12_-xyz");
    const rollup = t.db.query<any, []>("SELECT SUM(humans) AS n FROM rollup_hourly WHERE metric = 'click'").get();
    expect(rollup.n).toBe(1);
  });

  it.each(["short", "x".repeat(65), "has space!", "<script>", "a.b.c.d.e.f"])("makes its own event id for the malformed eid %p", async (eid) => {
    const res = await go(`/night-drive/go/spotify?eid=${encodeURIComponent(eid)}`);
    expect(res.status).toBe(302);
    const [row] = clicks();
    expect(row.event_id).not.toBe(eid);
    expect(row.event_id).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
  });

  it("records concurrent clicks, each once", async () => {
    const eids = Array.from({ length: 200 }, (_, i) => `concurrent-${String(i).padStart(4, "0")}`);
    const answers = await Promise.all(eids.map((e) => go(`/night-drive/go/spotify?eid=${e}`)));
    expect(answers.every((r) => r.status === 302)).toBe(true);
    expect(clicks().map((r) => r.event_id).sort()).toEqual(eids);
  });

  it("redirects only to stored URLs, whatever the request carries", async () => {
    const res = await go("/night-drive/go/spotify?url=https://evil.example&to=https://evil.example&redirect=//evil.example");
    expect(res.headers.get("location")).toBe("https://open.spotify.com/track/abc");
    for (const path of ["/night-drive/go/https:%2F%2Fevil.example", "/night-drive/go/..%2F..%2Fevil", "/night-drive/go/", "/night-drive/go/nope"]) {
      const r = await go(path);
      expect(r.status).toBe(404);
      expect(r.headers.get("location")).toBeNull();
    }
    expect(clicks()).toHaveLength(1);
  });

  it("answers 404 HTML for an unknown slug or key and records nothing", async () => {
    for (const path of ["/nope/go/spotify", "/night-drive/go/tidal", "/ADMIN/go/x"]) {
      const res = await go(path);
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toContain("text/html");
    }
    expect(clicks()).toHaveLength(0);
  });

  it("does not redirect to an unpublished link's destinations", async () => {
    await t.api("PATCH", "/api/links/night-drive", { published: false });
    expect((await go("/night-drive/go/spotify")).status).toBe(404);
    expect((await t.req("/night-drive")).status).toBe(404);
  });

  it("flags bots, link previews, HEAD and prefetches, and still redirects them", async () => {
    await go("/night-drive/go/spotify", { "user-agent": "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)" });
    await go("/night-drive/go/spotify", { "user-agent": "WhatsApp/2.23.20.0 A" });
    await go("/night-drive/go/spotify", { "user-agent": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)" });
    await go("/night-drive/go/spotify", { "sec-purpose": "prefetch" });
    await go("/night-drive/go/spotify", { purpose: "prefetch" });
    const head = await go("/night-drive/go/spotify", {}, "HEAD");
    expect(head.status).toBe(302);
    await go("/night-drive/go/spotify", { "user-agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 331.0.0.0 (iPhone14,5; iOS 17_5)" });
    expect(clicks().map((r) => r.kind)).toEqual(["bot", "bot", "bot", "prefetch", "prefetch", "head", "human"]);
  });

  it("keeps the landing page's UTM parameters, referrer and device with the click", async () => {
    const page = await (await go("/night-drive?utm_source=ig&utm_medium=paid&utm_campaign=launch", { referer: "https://l.instagram.com/" })).text();
    const href = /href="(\/night-drive\/go\/spotify[^"]*)"/.exec(page)![1]!.replaceAll("&amp;", "&");
    expect(href).toContain("utm_source=ig");
    await go(href, { "user-agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/130 Safari/537.36" });
    expect(clicks()[0]).toMatchObject({ utm_source: "ig", utm_medium: "paid", utm_campaign: "launch", utm_content: null, referrer: "l.instagram.com", device: "desktop" });
  });

  it("records page views the same way", async () => {
    await go("/night-drive?utm_source=tiktok");
    await go("/night-drive", { "user-agent": "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)" });
    const views = t.db.query<any, []>("SELECT kind, utm_source, event_id FROM page_views ORDER BY id").all();
    expect(views.map((v) => [v.kind, v.utm_source])).toEqual([["human", "tiktok"], ["bot", null]]);
    expect(new Set(views.map((v) => v.event_id)).size).toBe(2);
  });
});
