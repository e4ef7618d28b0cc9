import { afterEach, describe, expect, it } from "bun:test";
import { HUMAN_UA, release, startApp, type TestApp } from "./helpers";
import { AdminClient, ADMIN_PASSWORD } from "./admin-client";
import { handoffFor, intentUrl } from "../src/routing/handoff";
import { rollupJob } from "../src/stats/rollup";

let t: TestApp | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

const SPOTIFY = "https://open.spotify.com/track/abc";
const withCookie = (cookie: string, ua = HUMAN_UA, extra: Record<string, string> = {}) => ({ headers: { "user-agent": ua, cookie, ...extra } });
const autoKey = (html: string) => /class="autoroute"[^>]*data-auto-key="([^"]+)"/.exec(html)?.[1] ?? null;
const buttonKeys = (html: string) => [...html.matchAll(/<a class="dest" href="[^"]*" data-key="([^"]+)"/g)].map((m) => m[1]);
const clickRows = (t: TestApp) => t.db.query<{ dest_key: string; route: string | null }, []>("SELECT dest_key, route FROM clicks ORDER BY id").all();

const UA = {
  instagramIos: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 334.0.4.32.98 (iPhone15,2; iOS 17_5; en_US; en; scale=3.00; 1179x2556; 613011522)",
  instagramAndroid: "Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/UD1A.230805.019; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/125.0.6422.165 Mobile Safari/537.36 Instagram 334.0.0.42.95 Android (34/14; 420dpi; 1080x2400; Google/google; Pixel 8; shiba; shiba; en_US; 613011522)",
  facebookIos: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/468.0.0.47.106;FBBV/612345678;FBDV/iPhone15,2;FBMD/iPhone;FBSN/iOS;FBSV/17.5;FBSS/3;FBID/phone;FBLC/en_US;FBOP/5]",
  facebookAndroid: "Mozilla/5.0 (Linux; Android 14; SM-S918B Build/UP1A.231005.007; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/125.0.6422.165 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/468.0.0.55.105;]",
  messengerIos: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/MessengerForiOS;FBAV/458.0.0.35.108;FBBV/601234567;FBDV/iPhone15,2;FBMD/iPhone;FBSN/iOS;FBSV/17.5;FBSS/3;FBCR/;FBID/phone;FBLC/en_US;FBOP/5]",
  tiktokIos: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 musical_ly_34.8.0 JsSdk/2.0 NetType/WIFI Channel/App Store ByteLocale/en Region/US",
  tiktokAndroid: "Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/UD1A.230805.019; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/125.0.6422.165 Mobile Safari/537.36 trill_340803 BytedanceWebview/d8a21c6",
  snapchatIos: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Snapchat/13.10.0.38 (like Safari/8618.2.12.10.5, panda)",
  linkedinAndroid: "Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/UD1A.230805.019; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/125.0.6422.165 Mobile Safari/537.36 [LinkedInApp]/4.1.1005",
  safariIos: HUMAN_UA,
  chromeAndroid: "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Mobile Safari/537.36",
  chromeWindows: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36",
  macSafari: "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
};

const SPOTIFY_INTENT = "intent://open.spotify.com/track/abc#Intent;scheme=https;package=com.spotify.music;S.browser_fallback_url=https%3A%2F%2Fopen.spotify.com%2Ftrack%2Fabc;end";

describe("remembered service and auto-route", () => {
  it("remembers a streaming service after a fan's click-out, not merch and not a bot's", async () => {
    t = await startApp();
    await t.createLink(release());
    const spotify = await t.req("/night-drive/go/spotify", { headers: { "user-agent": HUMAN_UA } });
    expect(spotify.status).toBe(302);
    expect(spotify.headers.get("set-cookie")).toMatch(/^outro_svc=spotify; Max-Age=31536000; Path=\/; SameSite=Lax; HttpOnly$/);
    const merch = await t.req("/night-drive/go/merch", { headers: { "user-agent": HUMAN_UA } });
    expect(merch.headers.get("set-cookie")).toBeNull();
    const bot = await t.req("/night-drive/go/spotify", { headers: { "user-agent": "Googlebot/2.1 (+http://www.google.com/bot.html)" } });
    expect(bot.status).toBe(302);
    expect(bot.headers.get("set-cookie")).toBeNull();
  });

  it("routes a returning fan to their service after the link's delay, with a way to every service", async () => {
    t = await startApp();
    await t.createLink(release("night-drive", { autoRouteDelayMs: 2500 }));
    const html = await (await t.req("/night-drive?utm_source=ig", withCookie("outro_svc=apple-music"))).text();
    expect(autoKey(html)).toBe("apple-music");
    expect(html).toContain('data-auto-delay="2500"');
    expect(html).toContain("Opening <strong>Apple Music</strong>");
    // Untracked link (no page script): a plain meta refresh follows the click-out route, marked as an auto-route.
    expect(html).toContain('<meta http-equiv="refresh" content="3;url=/night-drive/go/apple-music?utm_source=ig&auto=1"/>');
    expect(html).not.toContain("<noscript>");
    expect(html).toContain('class="show-all" href="/night-drive?utm_source=ig&choose=1"');
    // Every button is still there.
    expect(buttonKeys(html)).toEqual(["spotify", "apple-music", "merch"]);
  });

  it("does not auto-route with ?choose=1, for bots, prefetches, unknown services, when off, or on a bio hub", async () => {
    t = await startApp();
    await t.createLink(release());
    await t.createLink(release("off", { autoRoute: false }));
    await t.createLink({ slug: "hub", type: "bio", title: "Babbage", destinations: [{ url: SPOTIFY }] });
    const page = async (path: string, init: RequestInit) => (await t!.req(path, init)).text();
    expect(autoKey(await page("/night-drive", withCookie("outro_svc=spotify")))).toBe("spotify");
    expect(autoKey(await page("/night-drive?choose=1", withCookie("outro_svc=spotify")))).toBeNull();
    expect(autoKey(await page("/night-drive", withCookie("outro_svc=spotify", "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)")))).toBeNull();
    expect(autoKey(await page("/night-drive", withCookie("outro_svc=spotify", HUMAN_UA, { "sec-purpose": "prefetch" })))).toBeNull();
    expect(autoKey(await page("/night-drive", withCookie("outro_svc=deezer")))).toBeNull();
    expect(autoKey(await page("/night-drive", withCookie("outro_svc=%3Cscript%3E")))).toBeNull();
    expect(autoKey(await page("/off", withCookie("outro_svc=spotify")))).toBeNull();
    expect(autoKey(await page("/hub", withCookie("outro_svc=spotify")))).toBeNull();
    // The cached page of an auto-routed view does not leak into the next fan's.
    expect(autoKey(await page("/night-drive", { headers: { "user-agent": HUMAN_UA } }))).toBeNull();
  });

  it("keeps the meta refresh for no-JS only on a tracked page, whose script does the routing", async () => {
    t = await startApp({ META_PIXEL_ID: "1234567890", META_ACCESS_TOKEN: "EAAB-test-token-000" });
    await t.createLink(release());
    const html = await (await t.req("/night-drive", withCookie("outro_svc=spotify"))).text();
    expect(autoKey(html)).toBe("spotify");
    expect(html).toContain('<noscript><meta http-equiv="refresh" content="2;url=/night-drive/go/spotify?auto=1"/></noscript>');
    expect(html).toContain('id="outro-cfg"');
  });

  it("counts auto-routed click-outs apart from taps in the stats", async () => {
    t = await startApp();
    await t.createLink(release());
    await t.req("/night-drive/go/spotify?auto=1&eid=auto-route-0001", { headers: { "user-agent": HUMAN_UA } });
    await t.req("/night-drive/go/spotify?eid=tap-0000000001", { headers: { "user-agent": HUMAN_UA } });
    await t.req("/night-drive/go/merch?eid=tap-0000000002", { headers: { "user-agent": HUMAN_UA } });
    expect(clickRows(t)).toEqual([
      { dest_key: "spotify", route: "auto" }, { dest_key: "spotify", route: null }, { dest_key: "merch", route: null },
    ]);
    rollupJob(t.db).catchUp();
    const stats = await (await t.api("GET", "/api/links/night-drive/stats")).json();
    expect(stats.clicks).toBe(3);
    const routes = Object.fromEntries(stats.routes.map((r: any) => [r.route, r.clicks]));
    expect(routes).toEqual({ auto: 1, tap: 2 });
  });

  it("rejects bad routing settings with the failing field and changes nothing", async () => {
    t = await startApp();
    for (const bad of [{ autoRouteDelayMs: -1 }, { autoRouteDelayMs: 10_001 }, { autoRouteDelayMs: 1.5 }, { autoRoute: "yes" }, { deviceOrder: 1 }]) {
      const res = await t.api("POST", "/api/links", release("night-drive", bad));
      expect(res.status).toBe(422);
      const body = await res.json();
      expect(Object.keys(body.error.fields ?? {}).join(" ")).toContain(Object.keys(bad)[0]!);
    }
    expect((await t.api("GET", "/api/links/night-drive")).status).toBe(404);
    await t.createLink(release());
    const patched = await t.api("PATCH", "/api/links/night-drive", { autoRouteDelayMs: 20_000 });
    expect(patched.status).toBe(422);
    const link = await (await t.api("GET", "/api/links/night-drive")).json();
    expect(link.autoRouteDelayMs).toBe(1500);
    expect(link.autoRoute).toBe(true);
  });
});

describe("in-app browser hand-off", () => {
  // [user agent, expected hand-off kind for Spotify, expected URL or app URL]
  const table: [keyof typeof UA, string, string][] = [
    ["instagramIos", "scheme", "spotify:track:abc"],
    ["instagramAndroid", "intent", SPOTIFY_INTENT],
    ["facebookIos", "scheme", "spotify:track:abc"],
    ["facebookAndroid", "intent", SPOTIFY_INTENT],
    ["messengerIos", "scheme", "spotify:track:abc"],
    ["snapchatIos", "scheme", "spotify:track:abc"],
    ["linkedinAndroid", "intent", SPOTIFY_INTENT],
    ["tiktokIos", "browser", SPOTIFY],
    ["tiktokAndroid", "browser", SPOTIFY],
    ["safariIos", "web", SPOTIFY],
    ["chromeAndroid", "web", SPOTIFY],
    ["chromeWindows", "web", SPOTIFY],
  ];
  for (const [agent, kind, url] of table) {
    it(`${agent} → ${kind}`, () => {
      const h = handoffFor(UA[agent], "spotify", SPOTIFY);
      expect(h.kind).toBe(kind as typeof h.kind);
      expect(h.kind === "scheme" ? h.appUrl : h.url).toBe(url);
      // The web fallback is always the stored URL.
      if (h.kind === "scheme" || h.kind === "browser") expect(h.url).toBe(SPOTIFY);
    });
  }

  it("builds each service's app URL from its stored URL, and keeps the web URL where no app is known", () => {
    const ios = (service: string, url: string) => { const h = handoffFor(UA.instagramIos, service, url); return h.kind === "scheme" ? h.appUrl : h.url; };
    expect(ios("spotify", "https://open.spotify.com/intl-de/album/xyz?si=1")).toBe("spotify:album:xyz");
    expect(ios("apple-music", "https://music.apple.com/us/album/night-drive/123?i=4")).toBe("music://music.apple.com/us/album/night-drive/123?i=4");
    expect(ios("tidal", "https://tidal.com/browse/track/77")).toBe("tidal://track/77");
    expect(ios("deezer", "https://www.deezer.com/track/1")).toBe("deezer://www.deezer.com/track/1");
    expect(ios("bandcamp", "https://babbage.bandcamp.com/track/x")).toBe("https://babbage.bandcamp.com/track/x");
    expect(handoffFor(UA.instagramAndroid, null, "https://babbage.example/merch")).toEqual({ kind: "web", url: "https://babbage.example/merch" });
    expect(intentUrl(new URL("https://music.apple.com/us/album/x?i=1"), "com.apple.android.music"))
      .toBe("intent://music.apple.com/us/album/x?i=1#Intent;scheme=https;package=com.apple.android.music;S.browser_fallback_url=https%3A%2F%2Fmusic.apple.com%2Fus%2Falbum%2Fx%3Fi%3D1;end");
  });

  it("hands Android webviews an intent with the stored URL as fallback, iOS webviews a page that opens the app", async () => {
    t = await startApp();
    await t.createLink(release());
    const android = await t.req("/night-drive/go/spotify", { headers: { "user-agent": UA.instagramAndroid } });
    expect(android.status).toBe(302);
    expect(android.headers.get("location")).toBe(SPOTIFY_INTENT);

    const ios = await t.req("/night-drive/go/spotify?eid=ios-handoff-01", { headers: { "user-agent": UA.instagramIos } });
    expect(ios.status).toBe(200);
    expect(ios.headers.get("set-cookie")).toStartWith("outro_svc=spotify");
    const csp = ios.headers.get("content-security-policy")!;
    const nonce = /'nonce-([^']+)'/.exec(csp)![1]!;
    const html = await ios.text();
    expect(html).toContain('href="spotify:track:abc"');
    expect(html).toContain(`href="${SPOTIFY}"`);
    expect(html).toContain(`<script nonce="${nonce}">location.href="spotify:track:abc"`);
    // Recorded before the answer, like every click-out.
    expect(clickRows(t).map((r) => r.dest_key)).toEqual(["spotify", "spotify"]);

    const merch = await t.req("/night-drive/go/merch", { headers: { "user-agent": UA.instagramIos } });
    expect(merch.status).toBe(302);
    expect(merch.headers.get("location")).toBe("https://babbage.example/merch");
  });

  it("asks TikTok's fans to open the page in their browser, and redirects them to the stored URL", async () => {
    t = await startApp();
    await t.createLink(release());
    const html = await (await t.req("/night-drive", { headers: { "user-agent": UA.tiktokIos } })).text();
    expect(html).toContain('class="inapp-hint"');
    expect(html).toContain("TikTok");
    const res = await t.req("/night-drive/go/spotify", { headers: { "user-agent": UA.tiktokAndroid } });
    expect(res.headers.get("location")).toBe(SPOTIFY);
    expect(await (await t.req("/night-drive", { headers: { "user-agent": HUMAN_UA } })).text()).not.toContain("inapp-hint");
  });
});

describe("per-country destinations", () => {
  const countryLink = () => ({
    slug: "night-drive", title: "Night Drive", artist: "Babbage",
    destinations: [
      { url: SPOTIFY, countryUrls: { DE: "https://open.spotify.com/intl-de/track/abc" } },
      { url: "https://music.apple.com/us/album/night-drive/123", hiddenIn: ["jp"] },
      { url: "https://babbage.example/merch", label: "Merch", hiddenIn: ["DE", "AT"] },
    ],
  });
  const from = (country: string) => ({ headers: { "user-agent": HUMAN_UA, "cf-ipcountry": country } });

  it("hides a destination where it is not available and sends each country to its own URL", async () => {
    t = await startApp({ TRUST_PROXY: "true" });
    const created = await t.createLink(countryLink());
    expect(created.destinations[1].hiddenIn).toEqual(["JP"]);
    const keys = async (cc: string) => buttonKeys(await (await t!.req("/night-drive", from(cc))).text());
    // Alternating countries: each view gets its own country's page, never another's cached one.
    expect(await keys("DE")).toEqual(["spotify", "apple-music"]);
    expect(await keys("US")).toEqual(["spotify", "apple-music", "merch"]);
    expect(await keys("JP")).toEqual(["spotify", "merch"]);
    expect(await keys("DE")).toEqual(["spotify", "apple-music"]);
    expect((await t.req("/night-drive/go/spotify", from("DE"))).headers.get("location")).toBe("https://open.spotify.com/intl-de/track/abc");
    expect((await t.req("/night-drive/go/spotify", from("US"))).headers.get("location")).toBe(SPOTIFY);
  });

  it("believes CF-IPCountry only behind a trusted proxy", async () => {
    t = await startApp();
    await t.createLink(countryLink());
    expect(buttonKeys(await (await t.req("/night-drive", from("DE"))).text())).toEqual(["spotify", "apple-music", "merch"]);
    expect((await t.req("/night-drive/go/spotify", from("DE"))).headers.get("location")).toBe(SPOTIFY);
  });

  it("does not auto-route to a service hidden in the fan's country", async () => {
    t = await startApp({ TRUST_PROXY: "true" });
    await t.createLink(countryLink());
    const html = (cc: string) => t!.req("/night-drive", { headers: { "user-agent": HUMAN_UA, "cf-ipcountry": cc, cookie: "outro_svc=apple-music" } }).then((r) => r.text());
    expect(autoKey(await html("JP"))).toBeNull();
    expect(autoKey(await html("US"))).toBe("apple-music");
  });

  it("rejects bad country rules with the failing field and stores nothing", async () => {
    t = await startApp();
    const cases: [unknown, string][] = [
      [{ url: SPOTIFY, countryUrls: { germany: "https://x.example" } }, "destinations.0.countryUrls"],
      [{ url: SPOTIFY, countryUrls: { DE: "javascript:alert(1)" } }, "destinations.0.countryUrls.DE"],
      [{ url: SPOTIFY, hiddenIn: ["D"] }, "destinations.0.hiddenIn.0"],
      [{ url: SPOTIFY, hiddenIn: "DE" }, "destinations.0.hiddenIn"],
    ];
    for (const [dest, field] of cases) {
      const res = await t.api("POST", "/api/links", { slug: "night-drive", title: "Night Drive", destinations: [dest] });
      expect(res.status).toBe(422);
      expect(Object.keys((await res.json()).error.fields).join(" ")).toContain(field);
    }
    expect((await (await t.api("GET", "/api/links")).json()).links).toHaveLength(0);
  });
});

describe("order by device", () => {
  const link = (deviceOrder: boolean, slug = "night-drive") => ({
    slug, title: "Night Drive", deviceOrder,
    destinations: [{ url: SPOTIFY }, { url: "https://music.youtube.com/watch?v=1" }, { url: "https://music.apple.com/us/album/x/1" }],
  });

  it("puts Apple Music first on iOS and macOS, YouTube Music on Android, the stored order elsewhere", async () => {
    t = await startApp();
    await t.createLink(link(true));
    await t.createLink(link(false, "fixed"));
    const keys = async (path: string, ua: string) => buttonKeys(await (await t!.req(path, { headers: { "user-agent": ua } })).text());
    expect(await keys("/night-drive", UA.safariIos)).toEqual(["apple-music", "spotify", "youtube-music"]);
    expect(await keys("/night-drive", UA.macSafari)).toEqual(["apple-music", "spotify", "youtube-music"]);
    expect(await keys("/night-drive", UA.chromeAndroid)).toEqual(["youtube-music", "spotify", "apple-music"]);
    expect(await keys("/night-drive", UA.chromeWindows)).toEqual(["spotify", "youtube-music", "apple-music"]);
    expect(await keys("/fixed", UA.safariIos)).toEqual(["spotify", "youtube-music", "apple-music"]);
  });
});

describe("fan routing in the admin", () => {
  it("edits auto-route, device order and country rules, keeps them on save, and names bad fields", async () => {
    t = await startApp({ ADMIN_PASSWORD });
    const admin = new AdminClient(t);
    await admin.signIn();
    const fields = {
      action: "save", type: "release", title: "Night Drive", slug: "night-drive", published: "on",
      autoRouteDelayMs: "800", deviceOrder: "on",
      "dest-0-present": "1", "dest-0-url": SPOTIFY, "dest-0-pos": "1", "dest-0-countries": "de https://open.spotify.com/intl-de/track/abc",
      "dest-1-present": "1", "dest-1-url": "https://babbage.example/merch", "dest-1-label": "Merch", "dest-1-pos": "2", "dest-1-hiddenIn": "DE, at",
    };
    const res = await admin.post("/admin/links", fields);
    expect(res.status).toBe(303);
    const link = await (await t.api("GET", "/api/links/night-drive")).json();
    expect(link.autoRoute).toBe(false);
    expect(link.autoRouteDelayMs).toBe(800);
    expect(link.deviceOrder).toBe(true);
    expect(link.destinations[0].countryUrls).toEqual({ DE: "https://open.spotify.com/intl-de/track/abc" });
    expect(link.destinations[1].hiddenIn).toEqual(["AT", "DE"]);

    const edit = await admin.page("/admin/links/night-drive");
    expect(edit).toContain("DE https://open.spotify.com/intl-de/track/abc</textarea>");
    expect(edit).toContain('value="AT, DE"');

    const bad = await admin.post("/admin/links/night-drive", { ...fields, autoRoute: "on", autoRouteDelayMs: "soon", "dest-0-countries": "Germany: https://x.example" });
    expect(bad.status).toBe(422);
    const html = await bad.text();
    expect(html).toContain('id="autoRouteDelayMs-error"');
    expect(html).toContain('id="dest-0-countries-error"');
    expect(html).toContain("Germany: https://x.example</textarea>");
    const unchanged = await (await t.api("GET", "/api/links/night-drive")).json();
    expect(unchanged.autoRouteDelayMs).toBe(800);
    expect(unchanged.autoRoute).toBe(false);
  });
});
