import { afterEach, describe, expect, it } from "bun:test";
import { HUMAN_UA, release, startApp, type TestApp } from "./helpers";
import { parseFbCookie } from "../src/tracking/identity";
import { sha256 } from "../src/api/tokens";

const PIXEL = "1234567890";
let t: TestApp;
afterEach(async () => { await t?.close(); });

const events = () => t.db.query<any, []>("SELECT * FROM capi_events ORDER BY id").all().map((r) => ({ ...r, body: JSON.parse(r.payload) }));
const cfgOf = (html: string) => JSON.parse(/<script type="application\/json" id="outro-cfg">(.*?)<\/script>/.exec(html)![1]!);
const setCookies = (res: Response) => res.headers.getSetCookie();
const get = (path: string, headers: Record<string, string> = {}, method = "GET") => t.req(path, { method, headers: { "user-agent": HUMAN_UA, ...headers } });

describe("pixel on pages", () => {
  it("loads the Pixel with the server's PageView event id, under a CSP nonce", async () => {
    t = await startApp({ META_PIXEL_ID: PIXEL, META_ACCESS_TOKEN: "EAAB-test-token" });
    await t.createLink(release());
    const res = await get("/night-drive?utm_source=ig");
    const html = await res.text();
    const cfg = cfgOf(html);
    expect(cfg).toMatchObject({ slug: "night-drive", pixels: [PIXEL], event: "Lead", standard: true, name: "Night Drive – Babbage", consent: "none", ldu: false });
    const [view] = t.db.query<any, []>("SELECT event_id FROM page_views").all();
    expect(cfg.view).toBe(view.event_id);
    const [ev] = events();
    expect(ev).toMatchObject({ event_name: "PageView", event_id: view.event_id, pixel_id: PIXEL, status: "pending" });
    expect(ev.body.event_source_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/night-drive\?utm_source=ig$/);

    const nonce = /<script src="\/assets\/outro\.js\?v=\w+" nonce="([\w-]+)"/.exec(html)![1]!;
    expect(res.headers.get("content-security-policy")).toContain(`'nonce-${nonce}'`);
    expect(res.headers.get("content-security-policy")).toContain("https://connect.facebook.net");
    expect(html).not.toMatch(/<script(?![^>]*(nonce=|type="application\/json"))/);
    // Two views, two nonces and two event ids.
    const again = cfgOf(await (await get("/night-drive")).text());
    expect(again.view).not.toBe(cfg.view);
    const js = await (await t.req(/src="(\/assets\/outro\.js\?v=\w+)"/.exec(html)![1]!)).text();
    expect(js).toContain("connect.facebook.net/en_US/fbevents.js");
  });

  it("has no scripts at all when no pixel is set, and still works as plain links", async () => {
    t = await startApp();
    await t.createLink(release());
    const res = await get("/night-drive");
    const html = await res.text();
    expect(html).not.toContain("<script");
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(setCookies(res)).toEqual([]);
    expect(events()).toEqual([]);
  });

  it("uses the link's own pixel, a second pixel and a custom event name", async () => {
    t = await startApp({ META_PIXEL_ID: PIXEL });
    await t.createLink(release("x", { pixelId: "5555555555", extraPixelId: "7777777777", clickEventName: "StreamClick" }));
    const cfg = cfgOf(await (await get("/x")).text());
    expect(cfg.pixels).toEqual(["5555555555", "7777777777"]);
    expect(cfg).toMatchObject({ event: "StreamClick", standard: false });
    await get("/x/go/spotify?eid=two-pixels-0001");
    const clicks = events().filter((e) => e.event_name === "StreamClick");
    expect(clicks.map((e) => e.pixel_id).sort()).toEqual(["5555555555", "7777777777"]);
    expect(new Set(clicks.map((e) => e.event_id))).toEqual(new Set(["two-pixels-0001"]));
  });
});

describe("first-party fbp and fbc", () => {
  it("builds _fbp, _fbc (fbclid byte-exact) and a visitor id on landing, readable by the Pixel", async () => {
    t = await startApp({ META_PIXEL_ID: PIXEL });
    await t.createLink(release());
    const fbclid = "IwAR2F4-Xq_abcDEF123-_zz";
    const before = Date.now();
    const res = await get(`/night-drive?fbclid=${fbclid}`);
    const cookies = setCookies(res);
    const fbc = cookies.find((c) => c.startsWith("_fbc="))!;
    const fbp = cookies.find((c) => c.startsWith("_fbp="))!;
    expect(fbc).toMatch(new RegExp(`^_fbc=fb\\.1\\.(\\d{13})\\.${fbclid}; Max-Age=7776000; Path=/; SameSite=Lax$`));
    expect(Number(/fb\.1\.(\d+)\./.exec(fbc)![1])).toBeGreaterThanOrEqual(before);
    expect(fbp).toMatch(/^_fbp=fb\.1\.\d{13}\.\d{10}; Max-Age=7776000; Path=\/; SameSite=Lax$/);
    expect(cookies.find((c) => c.startsWith("outro_vid="))).toContain("HttpOnly");
    const [view] = events();
    expect(view.body.user_data.fbc).toBe(fbc.slice(5, fbc.indexOf(";")));
    expect(view.body.user_data.fbp).toBe(fbp.slice(5, fbp.indexOf(";")));
  });

  it("keeps existing cookies, and a new fbclid replaces an old _fbc", async () => {
    t = await startApp({ META_PIXEL_ID: PIXEL, PUBLIC_URL: "https://music.example" });
    await t.createLink(release());
    const jar = "_fbp=fb.1.1700000000000.1234567890; _fbc=fb.1.1700000000000.OLDCLICK; outro_vid=abcdefghijklmnopqrstuv";
    const same = await get("/night-drive?fbclid=OLDCLICK", { cookie: jar });
    expect(setCookies(same)).toEqual([]);
    const fresh = await get("/night-drive?fbclid=NEWCLICK", { cookie: jar });
    const cookies = setCookies(fresh);
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatch(/^_fbc=fb\.1\.\d{13}\.NEWCLICK; .*; Secure$/);
    const last = events().at(-1)!;
    expect(last.body.user_data).toMatchObject({ fbp: "fb.1.1700000000000.1234567890", external_id: sha256("abcdefghijklmnopqrstuv") });
    expect(last.body.user_data.fbc).toMatch(/NEWCLICK$/);
  });

  it("parses 4- and 5-part values and rejects others", () => {
    expect(parseFbCookie("fb.1.1554763741205.AbCdEf")).toMatchObject({ created: 1554763741205, value: "AbCdEf" });
    expect(parseFbCookie("fb.2.1554763741205.AbCdEf.Bg")).toMatchObject({ created: 1554763741205, value: "AbCdEf" });
    for (const bad of ["", "fb.1.abc.x", "fb.1.1554763741205", "xx.1.1554763741205.a", "fb.1.1554763741205.a.b.c"]) expect(parseFbCookie(bad)).toBeNull();
  });
});

describe("server events", () => {
  it("sends the click-out in the contract's shape, with the browser's event id", async () => {
    t = await startApp({ META_PIXEL_ID: PIXEL });
    await t.createLink(release());
    const page = `${t.base}/night-drive?utm_source=ig&fbclid=CLICK123`;
    const jar = "_fbp=fb.1.1700000000000.1234567890; _fbc=fb.1.1700000000000.CLICK123; outro_vid=abcdefghijklmnopqrstuv";
    const res = await get("/night-drive/go/apple-music?eid=browser-eid-0001", { referer: page, cookie: jar });
    expect(res.status).toBe(302);
    const click = events().find((e) => e.event_id === "browser-eid-0001")!;
    expect(click.event_name).toBe("Lead");
    const now = Math.floor(Date.now() / 1000);
    expect(click.body).toEqual({
      event_name: "Lead",
      event_time: click.body.event_time,
      event_id: "browser-eid-0001",
      action_source: "website",
      event_source_url: page,
      user_data: {
        client_ip_address: "127.0.0.1",
        client_user_agent: HUMAN_UA,
        fbp: "fb.1.1700000000000.1234567890",
        fbc: "fb.1.1700000000000.CLICK123",
        external_id: sha256("abcdefghijklmnopqrstuv"),
      },
      custom_data: { content_name: "Night Drive – Babbage", content_category: "apple-music", content_type: "music", platform: "apple-music", link: "night-drive" },
    });
    expect(Number.isInteger(click.body.event_time)).toBe(true);
    expect(click.body.event_time).toBeLessThanOrEqual(now);
    expect(click.body.event_time).toBeGreaterThan(now - 5);
    // A repeat of the same eid adds no second event.
    await get("/night-drive/go/apple-music?eid=browser-eid-0001", { referer: page, cookie: jar });
    expect(events().filter((e) => e.event_id === "browser-eid-0001")).toHaveLength(1);
  });

  it("never forwards bots, previews, HEAD or prefetches; forwards in-app browsers", async () => {
    t = await startApp({ META_PIXEL_ID: PIXEL });
    await t.createLink(release());
    const notForwarded: Record<string, string>[] = [
      { "user-agent": "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)" },
      { "user-agent": "meta-externalagent/1.1 (+https://developers.facebook.com/docs/sharing/webmasters/crawler)" },
      { "user-agent": "WhatsApp/2.23.20.0 A" },
      { "user-agent": "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)" },
      { "user-agent": "TelegramBot (like TwitterBot)" },
      { "user-agent": "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)" },
      { "user-agent": "Twitterbot/1.0" },
      { "user-agent": "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)" },
      { "user-agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 (KHTML, like Gecko) Version/9.0.1 Safari/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0" },
      { "user-agent": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)" },
      { "sec-purpose": "prefetch;prerender" },
      { purpose: "prefetch" },
    ];
    for (const h of notForwarded) {
      await get("/night-drive", h);
      await get("/night-drive/go/spotify", h);
    }
    await get("/night-drive/go/spotify", {}, "HEAD");
    await get("/night-drive", {}, "HEAD");
    expect(events()).toEqual([]);
    const kinds = t.db.query<{ kind: string }, []>("SELECT kind FROM clicks").all().map((r) => r.kind);
    expect(kinds.filter((k) => k === "human")).toEqual([]);

    const inApp = [
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 331.0.0.21.106 (iPhone14,5; iOS 17_5; en_US; en; scale=3.00; 1170x2532; 596395950)",
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/470.0.0.41.106;FBBV/612345;FBDV/iPhone14,5;FBMD/iPhone;FBSN/iOS;FBSV/17.5;FBSS/3;FBCR/;FBID/phone;FBLC/en_US;FBOP/80]",
      "Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/UQ1A.240205.004; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/122.0.6261.105 Mobile Safari/537.36 trill_340203 JsSdk/1.0 NetType/WIFI Channel/googleplay AppName/musical_ly app_version/34.2.3 ByteLocale/en ByteFullLocale/en Region/US BytedanceWebview/d8a21c6",
    ];
    for (const ua of inApp) await get("/night-drive/go/spotify", { "user-agent": ua });
    expect(events().map((e) => e.body.user_data.client_user_agent)).toEqual(inApp);
  });

  it("takes the client IP from X-Forwarded-For only when TRUST_PROXY is on", async () => {
    t = await startApp({ META_PIXEL_ID: PIXEL });
    await t.createLink(release());
    await get("/night-drive/go/spotify", { "x-forwarded-for": "203.0.113.9" });
    expect(events()[0].body.user_data.client_ip_address).toBe("127.0.0.1");
    await t.close();
    t = await startApp({ META_PIXEL_ID: PIXEL, TRUST_PROXY: "true" });
    await t.createLink(release());
    await get("/night-drive/go/spotify", { "x-forwarded-for": "198.51.100.1, 203.0.113.9" });
    expect(events()[0].body.user_data.client_ip_address).toBe("203.0.113.9");
  });
});

describe("consent and Limited Data Use", () => {
  it("in opt-in mode sends nothing and sets no cookie until the fan agrees", async () => {
    t = await startApp({ META_PIXEL_ID: PIXEL });
    t.settings.set("consentMode", "opt-in");
    await t.createLink(release());
    const res = await get("/night-drive?fbclid=ABC");
    expect(cfgOf(await res.text()).consent).toBe("opt-in");
    expect(setCookies(res)).toEqual([]);
    await get("/night-drive/go/spotify", { cookie: "outro_consent=denied" });
    expect(events()).toEqual([]);
    // Still counted first-party, without anything identifying.
    expect(t.db.query<{ n: number }, []>("SELECT COUNT(*) AS n FROM clicks").get()!.n).toBe(1);

    const granted = await get("/night-drive?fbclid=ABC", { cookie: "outro_consent=granted" });
    expect(setCookies(granted).some((c) => c.startsWith("_fbc=fb.1."))).toBe(true);
    await get("/night-drive/go/spotify", { cookie: "outro_consent=granted" });
    expect(events().map((e) => e.event_name)).toEqual(["PageView", "Lead"]);
  });

  it("marks events for Limited Data Use in the Pixel and on CAPI", async () => {
    t = await startApp({ META_PIXEL_ID: PIXEL });
    t.settings.set("limitedDataUse", true);
    await t.createLink(release());
    expect(cfgOf(await (await get("/night-drive")).text()).ldu).toBe(true);
    const js = await (await t.req("/assets/outro.js")).text();
    expect(js).toContain('fbq("dataProcessingOptions", ["LDU"], 0, 0)');
    expect(events()[0].body).toMatchObject({ data_processing_options: ["LDU"], data_processing_options_country: 0, data_processing_options_state: 0 });
  });
});

describe("browser acknowledgement", () => {
  it("records that the browser fired an event id, and rejects junk", async () => {
    t = await startApp({ META_PIXEL_ID: PIXEL });
    await t.createLink(release());
    expect((await t.req("/night-drive/ack", { method: "POST", body: "ack-event-0001" })).status).toBe(204);
    expect((await t.req("/night-drive/ack", { method: "POST", body: "<script>" })).status).toBe(400);
    expect((await t.req("/night-drive/ack", { method: "POST", body: "x".repeat(500) })).status).toBe(400);
    expect((await t.req("/nope/ack", { method: "POST", body: "ack-event-0002" })).status).toBe(400);
    expect(t.db.query<any, []>("SELECT event_id FROM browser_acks").all()).toEqual([{ event_id: "ack-event-0001" }]);
  });
});
