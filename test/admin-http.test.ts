import { afterEach, describe, expect, it } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import QRCode from "qrcode";
import { release, startApp, HUMAN_UA, type TestApp } from "./helpers";
import { AdminClient, ADMIN_PASSWORD, GIF_1PX, NOT_AN_IMAGE, PNG_1PX, csrfIn } from "./admin-client";
import { sha256 } from "../src/api/tokens";

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function signedIn(env: Record<string, string> = {}, opts: { clock?: () => number } = {}) {
  t = await startApp({ ADMIN_PASSWORD, ...env }, opts);
  const admin = new AdminClient(t);
  const res = await admin.signIn();
  expect(res.status).toBe(303);
  return admin;
}

const form = (html: string, name: string) => new RegExp(`name="${name}"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*name="${name}"`).exec(html);
const valueOf = (html: string, name: string) => { const m = form(html, name); return m ? (m[1] ?? m[2]) : undefined; };
const errorOf = (html: string, name: string) => new RegExp(`id="${name}-error"[^>]*>([^<]*)<`).exec(html)?.[1];
const mediaFiles = (dataDir: string) => (existsSync(join(dataDir, "media")) ? readdirSync(join(dataDir, "media")) : []);

const releaseForm = (extra: Record<string, string> = {}) => ({
  action: "save", type: "release", title: "Night Drive", artist: "Babbage", slug: "night-drive", published: "on",
  "dest-0-present": "1", "dest-0-url": "https://open.spotify.com/track/abc", "dest-0-pos": "1",
  "dest-1-present": "1", "dest-1-url": "https://music.apple.com/us/album/night-drive/123", "dest-1-pos": "2",
  "dest-2-present": "1", "dest-2-url": "https://babbage.example/merch", "dest-2-label": "Merch", "dest-2-pos": "3",
  ...extra,
});

describe("admin sign-in", () => {
  it("sends signed-out visitors to the sign-in page, never cached and never indexed", async () => {
    t = await startApp({ ADMIN_PASSWORD });
    for (const path of ["/admin", "/admin/settings", "/admin/links/new", "/admin/tracking"]) {
      const res = await t.req(path);
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe("/admin/login");
    }
    const login = await t.req("/admin/login");
    const html = await login.text();
    expect(login.status).toBe(200);
    expect(login.headers.get("cache-control")).toBe("no-store");
    expect(login.headers.get("x-robots-tag")).toContain("noindex");
    expect(login.headers.get("x-frame-options")).toBe("DENY");
    expect(login.headers.get("x-content-type-options")).toBe("nosniff");
    expect(login.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(html).toContain('<meta name="robots" content="noindex, nofollow"');
    // The setup form does not exist while ADMIN_PASSWORD is set.
    expect((await t.req("/admin/setup")).status).toBe(404);
  });

  it("adds nothing to the public routes (its hooks are scoped to /admin)", async () => {
    t = await startApp({ ADMIN_PASSWORD });
    await t.createLink(release("night-drive"));
    for (const path of ["/night-drive", "/night-drive/go/spotify", "/healthz"]) {
      const res = await t.req(path, { headers: { "user-agent": HUMAN_UA } });
      expect(res.status).toBeLessThan(400);
      expect(res.headers.get("x-robots-tag")).toBeNull();
      // The click-out remembers the fan's service (outro_svc, issue 8); no admin cookie is ever set here.
      expect(res.headers.get("set-cookie") ?? "").not.toMatch(/outro_admin|outro_form/);
      if (path !== "/night-drive/go/spotify") expect(res.headers.get("set-cookie")).toBeNull();
      expect(res.headers.get("content-security-policy") ?? "").not.toContain("connect-src 'self';");
    }
  });

  it("offers a one-time setup form when ADMIN_PASSWORD is unset, then stores an argon2id hash", async () => {
    t = await startApp({});
    expect((await t.req("/admin")).headers.get("location")).toBe("/admin/setup");
    expect((await t.req("/admin/login")).headers.get("location")).toBe("/admin/setup");
    const admin = new AdminClient(t);
    // Too short and mismatched passwords are refused next to the field.
    const page = await t.req("/admin/setup");
    const cookie = page.headers.get("set-cookie")!.split(";")[0]!;
    const bad = await t.req("/admin/setup", {
      method: "POST", headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ _csrf: csrfIn(await page.text()), password: "short", confirm: "other" }),
    });
    expect(bad.status).toBe(422);
    expect(errorOf(await bad.text(), "password")).toBe("at least 10 characters");

    const res = await admin.signIn("a-long-password-1", { setup: true });
    expect(res.status).toBe(303);
    const hash = JSON.parse(t.db.query<{ value: string }, []>("SELECT value FROM settings WHERE key = 'adminPasswordHash'").get()!.value);
    expect(hash).toStartWith("$argon2id$");
    expect((await admin.get("/admin")).status).toBe(200);
    // The form is gone for good, and the new password signs in.
    expect((await t.req("/admin/setup")).status).toBe(404);
    const again = await t.req("/admin/setup", { method: "POST", body: new URLSearchParams({ password: "x".repeat(12), confirm: "x".repeat(12) }) });
    expect(again.status).toBe(404);
    expect((await new AdminClient(t).signIn("a-long-password-1")).status).toBe(303);
    expect((await new AdminClient(t).signIn("wrong-password-1")).status).toBe(401);
  });

  it("keeps sessions hashed in a HttpOnly, SameSite=Lax cookie that sign-out ends", async () => {
    t = await startApp({ ADMIN_PASSWORD });
    const admin = new AdminClient(t);
    const res = await admin.signIn();
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("outro_admin="))!;
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
    expect(cookie).toContain("Path=/admin");
    expect(cookie).not.toContain("Secure");
    const token = admin.cookie.split("=")[1]!;
    const rows = t.db.query<{ token_hash: string }, []>("SELECT token_hash FROM admin_sessions").all();
    expect(rows).toEqual([{ token_hash: sha256(token) }]);

    const out = await admin.post("/admin/logout", {});
    expect(out.status).toBe(303);
    expect(out.headers.get("location")).toBe("/admin/login");
    expect(t.db.query("SELECT * FROM admin_sessions").all()).toEqual([]);
    expect((await admin.get("/admin")).status).toBe(303);
  });

  it("marks the cookie Secure when PUBLIC_URL is https, and expires sessions after 7 days", async () => {
    let now = Date.UTC(2026, 5, 1);
    const admin = await signedIn({ PUBLIC_URL: "https://music.example" }, { clock: () => now });
    const res = await new AdminClient(t!).signIn();
    expect(res.headers.getSetCookie().find((c) => c.startsWith("outro_admin="))).toContain("Secure");
    expect((await admin.get("/admin")).headers.get("strict-transport-security")).toBe("max-age=31536000");
    expect((await admin.get("/admin")).status).toBe(200);
    now += 7 * 86_400_000 + 1;
    expect((await admin.get("/admin")).headers.get("location")).toBe("/admin/login");
  });

  it("answers a wrong password with a clear message and 5 failures per address with 429", async () => {
    t = await startApp({ ADMIN_PASSWORD, TRUST_PROXY: "true" });
    const tryPassword = async (password: string, ip = "203.0.113.5") => {
      const page = await t!.req("/admin/login", { headers: { "x-forwarded-for": ip } });
      const cookie = page.headers.get("set-cookie")!.split(";")[0]!;
      return t!.req("/admin/login", {
        method: "POST", headers: { cookie, "x-forwarded-for": ip, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ _csrf: csrfIn(await page.text()), password }),
      });
    };
    for (let i = 0; i < 5; i++) {
      const res = await tryPassword("nope");
      expect(res.status).toBe(401);
      expect(await res.text()).toContain("That password is not right.");
    }
    const blocked = await tryPassword(ADMIN_PASSWORD);
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get("retry-after")).toBeTruthy();
    expect(await blocked.text()).toContain("Too many wrong passwords from your address");
    expect(blocked.headers.getSetCookie().some((c) => c.startsWith("outro_admin="))).toBe(false);
    // Another address is not affected.
    expect((await tryPassword(ADMIN_PASSWORD, "198.51.100.7")).status).toBe(303);
  });

  it("holds the limit against parallel guesses at a password set in the setup form (argon2id)", async () => {
    t = await startApp({ TRUST_PROXY: "true" });
    expect((await new AdminClient(t).signIn(ADMIN_PASSWORD, { setup: true })).status).toBe(303);
    const ip = "203.0.113.9";
    const forms = await Promise.all(Array.from({ length: 20 }, async () => {
      const page = await t!.req("/admin/login", { headers: { "x-forwarded-for": ip } });
      return { cookie: page.headers.get("set-cookie")!.split(";")[0]!, csrf: csrfIn(await page.text()) };
    }));
    const statuses = await Promise.all(forms.map(({ cookie, csrf }) => t!.req("/admin/login", {
      method: "POST", headers: { cookie, "x-forwarded-for": ip, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ _csrf: csrf, password: "wrong-guess-123" }),
    }).then((r) => r.status)));
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(15);
  });

  it("rejects sign-in and every admin form without the right CSRF token", async () => {
    const admin = await signedIn();
    // Sign-in without the form cookie.
    const page = await t!.req("/admin/login");
    const noCookie = await t!.req("/admin/login", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ _csrf: csrfIn(await page.text()), password: ADMIN_PASSWORD }) });
    expect(noCookie.status).toBe(403);

    await t!.createLink(release("night-drive"));
    const posts: [string, Record<string, string>][] = [
      ["/admin/links", releaseForm({ slug: "other" })],
      ["/admin/links/night-drive", releaseForm({ title: "Changed" })],
      ["/admin/links/night-drive/publish", { published: "off" }],
      ["/admin/links/night-drive/delete", {}],
      ["/admin/settings", { pixelId: "1234567", consentMode: "none", clickEvent: "Lead" }],
      ["/admin/settings/tokens", { name: "x" }],
      ["/admin/settings/tokens/1/revoke", {}],
      ["/admin/logout", {}],
    ];
    for (const [path, fields] of posts) {
      for (const csrf of ["", "forged-token-value"]) {
        const res = await admin.post(path, { ...fields, _csrf: csrf });
        expect(res.status).toBe(403);
        expect(await res.text()).toContain("This form could not be checked");
      }
    }
    const link = await (await t!.api("GET", "/api/links/night-drive")).json();
    expect([link.title, link.published]).toEqual(["Night Drive", true]);
    expect(t!.db.query("SELECT * FROM api_tokens").all()).toEqual([]);
    expect((await admin.get("/admin")).status).toBe(200);
  });
});

describe("admin links", () => {
  it("creates a release link from the form with the services recognised", async () => {
    const admin = await signedIn();
    const res = await admin.post("/admin/links", releaseForm(), { multipart: true });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/admin/links/night-drive?saved=new");
    const link = await (await t!.api("GET", "/api/links/night-drive")).json();
    expect(link.destinations.map((d: any) => [d.key, d.service, d.label])).toEqual([
      ["spotify", "spotify", null], ["apple-music", "apple-music", null], ["merch", null, "Merch"],
    ]);
    const html = await admin.page(res.headers.get("location")!);
    expect(html).toContain('src="/assets/icons/spotify.svg"');
    expect(html).toContain(">Spotify<");
    expect(html).toContain(">Apple Music<");
    expect(html).toContain("Created.");
    expect((await t!.req("/night-drive", { headers: { "user-agent": HUMAN_UA } })).status).toBe(200);
  });

  it("adds rows without saving, reorders by position and removes ticked rows", async () => {
    const admin = await signedIn();
    await t!.createLink(release("night-drive"));
    const added = await admin.post("/admin/links/night-drive", releaseForm({ action: "add-dest", title: "Typed but not saved" }), { multipart: true });
    expect(added.status).toBe(200);
    const html = await added.text();
    expect(html).toContain('name="dest-3-url"');
    expect(valueOf(html, "title")).toBe("Typed but not saved");
    expect((await (await t!.api("GET", "/api/links/night-drive")).json()).title).toBe("Night Drive");

    const saved = await admin.post("/admin/links/night-drive", releaseForm({
      "dest-0-pos": "3", "dest-1-pos": "1", "dest-2-pos": "2", "dest-1-remove": "on",
      "dest-3-present": "1", "dest-3-url": "https://www.deezer.com/track/1", "dest-3-pos": "1",
    }), { multipart: true });
    expect(saved.status).toBe(303);
    const link = await (await t!.api("GET", "/api/links/night-drive")).json();
    expect(link.destinations.map((d: any) => d.key)).toEqual(["deezer", "merch", "spotify"]);
  });

  it("shows errors next to the fields and keeps what was typed", async () => {
    const admin = await signedIn();
    const res = await admin.post("/admin/links", releaseForm({
      slug: "Bad Slug!", title: "", artist: 'Kept "quoted" <b>artist</b>', "dest-0-url": "javascript:alert(1)", artworkUrl: "ftp://x", pixelId: "abc",
      clickEvent: "custom", clickEventCustom: "no/slashes",
    }), { multipart: true });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(errorOf(html, "slug")).toContain("a-z, 0-9");
    expect(errorOf(html, "title")).toBe("is required");
    expect(errorOf(html, "dest-0-url")).toBe("must be an http:// or https:// URL");
    expect(errorOf(html, "artworkUrl")).toContain("http");
    expect(errorOf(html, "pixelId")).toBe("must be the numeric pixel id");
    expect(errorOf(html, "clickEventCustom")).toContain("custom name");
    expect(valueOf(html, "slug")).toBe("Bad Slug!");
    // Inside a quoted attribute only the quote needs escaping.
    expect(valueOf(html, "artist")).toBe("Kept &#34;quoted&#34; <b>artist</b>");
    expect(html).not.toContain('"quoted"');
    expect(valueOf(html, "dest-1-url")).toBe("https://music.apple.com/us/album/night-drive/123");
    expect((await t!.api("GET", "/api/links")).status).toBe(200);
    expect((await (await t!.api("GET", "/api/links")).json()).links).toEqual([]);

    await t!.createLink(release("taken"));
    const taken = await admin.post("/admin/links", releaseForm({ slug: "taken" }), { multipart: true });
    expect(taken.status).toBe(409);
    expect(errorOf(await taken.text(), "slug")).toBe("is taken");
  });

  it("publishes, unpublishes, and deletes only after a confirmation step", async () => {
    const admin = await signedIn();
    await t!.createLink(release("night-drive"));
    expect((await admin.post("/admin/links/night-drive/publish", { published: "off" })).status).toBe(303);
    expect((await t!.req("/night-drive")).status).toBe(404);
    expect(await admin.page("/admin")).toContain(">Draft<");
    await admin.post("/admin/links/night-drive/publish", { published: "on" });
    expect((await t!.req("/night-drive")).status).toBe(200);

    const confirm = await admin.page("/admin/links/night-drive/delete");
    expect(confirm).toContain("Delete “Night Drive”?");
    expect(confirm).toContain("Yes, delete it");
    expect((await t!.api("GET", "/api/links/night-drive")).status).toBe(200);
    const res = await admin.post("/admin/links/night-drive/delete", {});
    expect(res.status).toBe(303);
    expect((await t!.api("GET", "/api/links/night-drive")).status).toBe(404);
    expect(await admin.page(res.headers.get("location")!)).toContain("Deleted “Night Drive”.");
    expect((await admin.get("/admin/links/night-drive")).status).toBe(404);
  });

  it("previews drafts without recording a view", async () => {
    const admin = await signedIn();
    await t!.createLink(release("night-drive", { published: false }));
    const res = await admin.get("/admin/links/night-drive/preview");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const html = await res.text();
    expect(html).toContain("<h1>Night Drive</h1>");
    expect(html).toContain('href="/night-drive/go/spotify"');
    expect(t!.db.query("SELECT * FROM page_views").all()).toEqual([]);
    expect(t!.db.query("SELECT * FROM rollup_hourly").all()).toEqual([]);
    expect((await t!.req("/admin/links/night-drive/preview")).status).toBe(303);
  });

  it("lists links with views, click-outs and CTR of the last 28 days, and searches them", async () => {
    const now = Date.UTC(2026, 5, 30, 12);
    const admin = await signedIn({}, { clock: () => now });
    const a = await t!.createLink(release("night-drive"));
    await t!.createLink(release("day-walk", { title: "Day Walk", artist: "Other" }));
    const hour = Math.floor(now / 3_600_000);
    const add = t!.db.query("INSERT INTO rollup_hourly (link_id, hour, metric, dest_key, humans, others) VALUES (?, ?, ?, ?, ?, 0)");
    add.run(a.id, hour, "view", "", 40);
    add.run(a.id, hour - 24 * 10, "click", "spotify", 10);
    // Older than 28 days: not counted.
    add.run(a.id, hour - 24 * 40, "view", "", 1000);
    const html = await admin.page("/admin");
    const row = /<tr data-slug="night-drive">([\s\S]*?)<\/tr>/.exec(html)![1]!;
    expect([...row.matchAll(/<td class="num">([^<]*)<\/td>/g)].map((m) => m[1])).toEqual(["40", "10", "25.0%"]);
    expect(html).toContain('data-slug="day-walk"');
    // The analytics are a click away: in the menu, and per link.
    expect(html).toContain('<a href="/admin/stats"');
    expect(row).toContain('href="/admin/stats/link/night-drive"');
    expect((await admin.get("/admin/stats/link/night-drive")).status).toBe(200);
    const found = await admin.page("/admin?q=walk");
    expect(found).toContain('data-slug="day-walk"');
    expect(found).not.toContain('data-slug="night-drive"');
    expect(await admin.page("/admin?q=nothing-like-this")).toContain("No link matches that search.");
  });

  it("turns the fan signup on and off for a release link too", async () => {
    const admin = await signedIn();
    expect((await admin.post("/admin/links", releaseForm({ emailSignup: "on" }))).status).toBe(303);
    expect(await admin.page("/admin/links/night-drive")).toMatch(/name="emailSignup" value="on" checked/);
    expect(await (await t!.req("/night-drive", { headers: { "user-agent": HUMAN_UA } })).text()).toContain('action="/night-drive/subscribe"');
    expect((await admin.post("/admin/links/night-drive", releaseForm())).status).toBe(303);
    expect(await (await t!.req("/night-drive", { headers: { "user-agent": HUMAN_UA } })).text()).not.toContain("/night-drive/subscribe");
  });

  it("keeps per-link pixel, write-only access token and event name overrides", async () => {
    const admin = await signedIn();
    const secret = "EAAB-per-link-secret-token-123";
    const res = await admin.post("/admin/links", releaseForm({ pixelId: "998877665544", accessToken: secret, clickEvent: "custom", clickEventCustom: "StreamClick" }), { multipart: true });
    expect(res.status).toBe(303);
    const row = t!.db.query<{ pixel_id: string; access_token: string; click_event_name: string }, []>("SELECT pixel_id, access_token, click_event_name FROM links").get()!;
    expect(row).toEqual({ pixel_id: "998877665544", access_token: secret, click_event_name: "StreamClick" });
    const html = await admin.page("/admin/links/night-drive");
    expect(html).not.toContain(secret);
    expect(html).toContain("access token (set)");
    expect(valueOf(html, "clickEventCustom")).toBe("StreamClick");
    // Saving without typing a token keeps it; ticking "remove" clears it.
    await admin.post("/admin/links/night-drive", releaseForm({ pixelId: "998877665544", clickEvent: "Purchase" }), { multipart: true });
    expect(t!.db.query<{ access_token: string; click_event_name: string }, []>("SELECT access_token, click_event_name FROM links").get()).toEqual({ access_token: secret, click_event_name: "Purchase" });
    await admin.post("/admin/links/night-drive", releaseForm({ clearAccessToken: "on" }), { multipart: true });
    expect(t!.db.query<{ access_token: string | null; pixel_id: string | null }, []>("SELECT access_token, pixel_id FROM links").get()).toEqual({ access_token: null, pixel_id: null });
  });
});

describe("admin uploads", () => {
  it("stores a good image by its hash and serves it with long-lived cache headers", async () => {
    const admin = await signedIn();
    const res = await admin.post("/admin/links", { ...releaseForm(), artworkFile: new File([PNG_1PX], "cover.txt", { type: "text/plain" }) });
    expect(res.status).toBe(303);
    const hash = new Bun.CryptoHasher("sha256").update(PNG_1PX).digest("hex");
    expect(mediaFiles(t!.dataDir)).toEqual([`${hash}.png`]);
    const link = await (await t!.api("GET", "/api/links/night-drive")).json();
    expect(link.artworkUrl).toBe(`/media/${hash}.png`);
    const media = await t!.req(link.artworkUrl);
    expect(media.status).toBe(200);
    expect(media.headers.get("content-type")).toBe("image/png");
    expect(media.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(Buffer.from(await media.arrayBuffer()).equals(PNG_1PX)).toBe(true);

    // A GIF named .jpg is stored as what it is.
    await admin.post("/admin/links/night-drive", { ...releaseForm(), artworkFile: new File([GIF_1PX], "photo.jpg", { type: "image/jpeg" }) });
    const gif = (await (await t!.api("GET", "/api/links/night-drive")).json()).artworkUrl;
    expect(gif).toEndWith(".gif");
    expect((await t!.req(gif)).headers.get("content-type")).toBe("image/gif");
  });

  it("refuses a bad or oversized file with a clear message and stores nothing", async () => {
    const admin = await signedIn();
    const bad = await admin.post("/admin/links", { ...releaseForm(), artworkFile: new File([NOT_AN_IMAGE], "cover.png", { type: "image/png" }) });
    expect(bad.status).toBe(422);
    expect(errorOf(await bad.text(), "artworkFile")).toBe("That file is not a JPEG, PNG, WebP or GIF image.");
    const big = new Uint8Array(5 * 1024 * 1024 + 10);
    big.set(PNG_1PX);
    const tooBig = await admin.post("/admin/links", { ...releaseForm(), artworkFile: new File([big], "big.png") });
    expect(tooBig.status).toBe(422);
    expect(errorOf(await tooBig.text(), "artworkFile")).toContain("the limit is 5 MB");
    expect(mediaFiles(t!.dataDir)).toEqual([]);
    expect((await (await t!.api("GET", "/api/links")).json()).links).toEqual([]);
  });

  it("takes artwork by URL, and answers 404 for media it did not make", async () => {
    const admin = await signedIn();
    await admin.post("/admin/links", releaseForm({ artworkUrl: "https://img.example/cover.jpg" }), { multipart: true });
    expect((await (await t!.api("GET", "/api/links/night-drive")).json()).artworkUrl).toBe("https://img.example/cover.jpg");
    for (const path of ["/media/nothing.png", `/media/${"a".repeat(64)}.png`, "/media/..%2Foutro.db", `/media/${"a".repeat(64)}.svg`]) {
      expect((await t!.req(path)).status).toBe(404);
    }
  });
});

describe("admin bio hub editor", () => {
  const bioForm = (extra: Record<string, string> = {}) => ({
    action: "save", type: "bio", title: "Babbage", slug: "babbage", bio: "Synths at night.", published: "on",
    "dest-0-present": "1", "dest-0-url": "https://babbage.example/shop", "dest-0-label": "Merch", "dest-0-pos": "1",
    "social-0-present": "1", "social-0-url": "https://www.instagram.com/babbage", "social-0-pos": "1",
    "social-1-present": "1", "social-1-url": "https://www.tiktok.com/@babbage", "social-1-pos": "2",
    "tour-0-present": "1", "tour-0-date": "2026-07-10", "tour-0-city": "Berlin", "tour-0-venue": "Lido", "tour-0-ticketUrl": "https://tix.example/berlin",
    "tour-1-present": "1", "tour-1-date": "2026-05-01", "tour-1-city": "Past City", "tour-1-venue": "", "tour-1-ticketUrl": "",
    emailSignup: "on",
    ...extra,
  });

  it("saves featured release, links, socials, tour dates and the signup switch; the page hides past dates", async () => {
    const now = Date.UTC(2026, 5, 15, 12);
    const admin = await signedIn({}, { clock: () => now });
    await t!.createLink(release("older", { title: "Older" }));
    await t!.createLink(release("newest", { title: "Newest" }));
    const res = await admin.post("/admin/links", bioForm({ featuredSlug: "older" }), { multipart: true });
    expect(res.status).toBe(303);
    const link = await (await t!.api("GET", "/api/links/babbage")).json();
    expect(link.featuredSlug).toBe("older");
    expect(link.destinations.map((d: any) => d.service ?? d.label)).toEqual(["Merch", "instagram", "tiktok"]);
    expect(t!.db.query("SELECT email_signup FROM link_options").get()).toEqual({ email_signup: 1 });

    const edit = await admin.page("/admin/links/babbage");
    expect(valueOf(edit, "social-0-url")).toBe("https://www.instagram.com/babbage");
    expect(valueOf(edit, "tour-0-date")).toBe("2026-05-01");
    expect(edit).toMatch(/name="emailSignup" value="on" checked/);
    expect(edit).toMatch(/<option value="older" selected>/);

    // Past dates are hidden by the public page (the real clock is well past both of these).
    const page = await (await t!.req("/babbage", { headers: { "user-agent": HUMAN_UA } })).text();
    expect(page).toContain('aria-label="Socials"');
    expect(page).toContain('href="/babbage/go/instagram"');
    expect(page).not.toContain("Past City");
    expect(page).toContain("Older");

    // A bad date or a non-social profile is named next to its field.
    const bad = await admin.post("/admin/links/babbage", bioForm({ "tour-0-date": "2026-02-31", "social-0-url": "https://open.spotify.com/artist/1", "tour-1-city": "" }), { multipart: true });
    expect(bad.status).toBe(422);
    const html = await bad.text();
    expect(errorOf(html, "social-0-url")).toContain("not a social profile");
    // Rows are shown sorted; the broken date keeps its row.
    expect(html).toContain("is not a real date");
    expect(html).toContain("is required");
  });

  it("shows upcoming tour dates with ticket links on the public page", async () => {
    const admin = await signedIn();
    const future = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    const past = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
    await admin.post("/admin/links", bioForm({ "tour-0-date": future, "tour-1-date": past, emailSignup: "" }), { multipart: true });
    const page = await (await t!.req("/babbage", { headers: { "user-agent": HUMAN_UA } })).text();
    expect(page).toContain("Berlin, Lido");
    // Through the click-out, like every button on the page.
    expect(page).toContain(`href="/babbage/go/tickets-${future}"`);
    expect((await t!.req(`/babbage/go/tickets-${future}`)).headers.get("location")).toBe("https://tix.example/berlin");
    expect(page).not.toContain("Past City");
    expect(t!.db.query("SELECT email_signup FROM link_options").get()).toEqual({ email_signup: 0 });
  });
});

describe("admin settings", () => {
  it("stores settings, never echoes the access token and shows a test-mode banner everywhere", async () => {
    const admin = await signedIn();
    const secret = "EAAB-instance-secret-token-456";
    const res = await admin.post("/admin/settings", {
      pixelId: "1234567890", accessToken: secret, testEventCode: "TEST123", clickEvent: "custom", clickEventCustom: "Listen Click",
      consentMode: "opt-in", limitedDataUse: "on",
    });
    expect(res.status).toBe(303);
    const settings = Object.fromEntries(t!.db.query<{ key: string; value: string }, []>("SELECT key, value FROM settings").all().map((r) => [r.key, JSON.parse(r.value)]));
    expect(settings).toMatchObject({ pixelId: "1234567890", accessToken: secret, testEventCode: "TEST123", clickEventName: "Listen Click", consentMode: "opt-in", limitedDataUse: true });
    const html = await admin.page("/admin/settings");
    expect(html).not.toContain(secret);
    expect(html).toContain("Set ••••••••");
    expect(valueOf(html, "accessToken")).toBe("");
    for (const path of ["/admin", "/admin/settings", "/admin/tools/utm", "/admin/tracking", "/admin/links/new"]) {
      expect(await admin.page(path)).toContain("Test mode is on.");
    }
    // A failed save does not echo the typed token either.
    const bad = await admin.post("/admin/settings", { pixelId: "x", accessToken: "another-secret-token-789", consentMode: "maybe", clickEvent: "Lead" });
    expect(bad.status).toBe(422);
    const badHtml = await bad.text();
    expect(badHtml).not.toContain("another-secret-token-789");
    expect(errorOf(badHtml, "pixelId")).toBe("must be the numeric pixel id");
    expect(errorOf(badHtml, "consentMode")).toBe("pick one of the two");
    // Clearing the test code removes the banner.
    await admin.post("/admin/settings", { pixelId: "1234567890", testEventCode: "", clickEvent: "Lead", consentMode: "none" });
    expect(await admin.page("/admin")).not.toContain("Test mode is on.");
    expect(t!.db.query<{ value: string }, []>("SELECT value FROM settings WHERE key = 'accessToken'").get()!.value).toBe(JSON.stringify(secret));
  });

  it("shows settings from the environment read-only", async () => {
    const admin = await signedIn({ META_PIXEL_ID: "5555555555", META_ACCESS_TOKEN: "env-secret-token-abc", META_TEST_EVENT_CODE: "TEST9" });
    const html = await admin.page("/admin/settings");
    expect(html).toContain("Set by META_PIXEL_ID");
    expect(html).toContain("Set by META_ACCESS_TOKEN");
    expect(html).not.toContain("env-secret-token-abc");
    expect(html).not.toContain('name="pixelId"');
    await admin.post("/admin/settings", { pixelId: "111111", clickEvent: "Lead", consentMode: "none" });
    expect(t!.db.query("SELECT value FROM settings WHERE key = 'pixelId'").get()).toBeNull();
  });

  it("creates an API token shown once, lists it, and revokes it", async () => {
    const admin = await signedIn();
    const res = await admin.post("/admin/settings/tokens", { name: "deploy bot" });
    expect(res.status).toBe(200);
    const html = await res.text();
    const token = /id="new-token" readonly value="([^"]+)"/.exec(html)![1]!;
    expect(token).toStartWith("outro_");
    expect((await t!.api("GET", "/api/links", undefined, token)).status).toBe(200);
    const later = await admin.page("/admin/settings");
    expect(later).toContain("deploy bot");
    expect(later).not.toContain(token);
    expect(t!.db.query<{ token_hash: string }, []>("SELECT token_hash FROM api_tokens").get()!.token_hash).toBe(sha256(token));
    const id = /action="\/admin\/settings\/tokens\/(\d+)\/revoke"/.exec(later)![1]!;
    expect((await admin.post(`/admin/settings/tokens/${id}/revoke`, {})).status).toBe(303);
    expect((await t!.api("GET", "/api/links", undefined, token)).status).toBe(401);
    expect(await admin.page("/admin/settings")).not.toContain("deploy bot");
    const empty = await admin.post("/admin/settings/tokens", { name: "  " });
    expect(empty.status).toBe(422);
    expect(errorOf(await empty.text(), "name")).toBe("give the token a name");
  });
});

describe("admin tools", () => {
  it("makes a QR code of the link's absolute URL as SVG and PNG downloads", async () => {
    const admin = await signedIn({ PUBLIC_URL: "https://music.example" });
    await t!.createLink(release("night-drive"));
    const svg = await admin.get("/admin/links/night-drive/qr.svg");
    expect(svg.status).toBe(200);
    expect(svg.headers.get("content-type")).toBe("image/svg+xml");
    expect(svg.headers.get("content-disposition")).toBe('attachment; filename="night-drive-qr.svg"');
    expect(await svg.text()).toBe(await QRCode.toString("https://music.example/night-drive", { type: "svg", margin: 2, errorCorrectionLevel: "M" }));
    const png = await admin.get("/admin/links/night-drive/qr.png");
    expect(png.headers.get("content-type")).toBe("image/png");
    expect(png.headers.get("content-disposition")).toBe('attachment; filename="night-drive-qr.png"');
    expect(Buffer.from(await png.arrayBuffer()).subarray(0, 4).toString("hex")).toBe("89504e47");
    expect((await admin.get("/admin/links/nope/qr.png")).status).toBe(404);
    expect((await t!.req("/admin/links/night-drive/qr.png")).status).toBe(303);
  });

  it("builds UTM links server-side, with presets", async () => {
    const admin = await signedIn({ PUBLIC_URL: "https://music.example" });
    await t!.createLink(release("night-drive"));
    const html = await admin.page("/admin/tools/utm?link=night-drive&preset=instagram-bio&campaign=summer+tour");
    expect(valueOf(html, "source")).toBe("instagram");
    expect(html).toContain('id="utm-url" readonly value="https://music.example/night-drive?utm_source=instagram&utm_medium=social&utm_campaign=summer+tour&utm_content=bio"');
    const manual = await admin.page("/admin/tools/utm?link=night-drive&source=news&medium=email&campaign=&content=&term=synth");
    expect(manual).toContain('value="https://music.example/night-drive?utm_source=news&utm_medium=email&utm_term=synth"');
    for (const preset of ["tiktok", "meta-ads", "email", "youtube"]) {
      expect(await admin.page(`/admin/tools/utm?link=night-drive&preset=${preset}`)).toContain('id="utm-url"');
    }
    const bad = await admin.get(`/admin/tools/utm?link=missing&source=${"x".repeat(300)}`);
    expect(bad.status).toBe(422);
    const badHtml = await bad.text();
    expect(errorOf(badHtml, "link")).toBe("pick one of your links");
    expect(errorOf(badHtml, "source")).toBe("at most 100 characters");
  });
});

describe("admin tracking health", () => {
  it("shows the delivery log with Meta's error in words, counters, a status filter and dashboard alerts", async () => {
    const now = Date.now();
    const admin = await signedIn();
    const link = await t!.createLink(release("night-drive"));
    const add = t!.db.query(`INSERT INTO capi_events (created_at, pixel_id, link_id, event_name, event_id, event_time, payload, status, attempts, next_attempt_at, last_status, last_response)
      VALUES (?, '1234567', ?, ?, ?, ?, '{}', ?, ?, 0, ?, ?)`);
    add.run(now, link.id, "Lead", "evt-sent-0001", Math.floor(now / 1000), "sent", 1, 200, '{"events_received":1}');
    add.run(now, link.id, "Lead", "evt-fail-0001", Math.floor(now / 1000), "failed", 1, 400,
      JSON.stringify({ error: { message: "Invalid OAuth access token.", type: "OAuthException", code: 190, error_user_msg: "The access token could not be decrypted" } }));
    add.run(now, link.id, "PageView", "evt-wait-0001", Math.floor(now / 1000) - 6.5 * 86_400, "pending", 3, 503, null);
    t!.db.query("INSERT INTO pixel_state (pixel_id, paused_at, pause_reason) VALUES ('1234567', ?, 'Invalid OAuth access token (code 190)')").run(now);
    t!.db.query("INSERT INTO browser_acks (event_id, ts) VALUES ('evt-sent-0001', ?)").run(now);

    const html = await admin.page("/admin/tracking");
    expect(html).toMatch(/data-counter="sent">\s*<strong>1<\/strong>/);
    expect(html).toMatch(/data-counter="failed">\s*<strong>1<\/strong>/);
    expect(html).toMatch(/data-counter="pending">\s*<strong>1<\/strong>/);
    expect(html).toContain("The access token is not valid (Meta says: The access token could not be decrypted). Paste a new one in Settings.");
    expect(html).toContain("evt-fail-0001");
    // The dedup proof per event: server status and whether the browser's Pixel fired the same id.
    expect(html).toMatch(/evt-sent-0001[\s\S]*?data-browser="yes"/);
    expect(html).toMatch(/evt-fail-0001[\s\S]*?data-browser="no"/);
    const failedOnly = await admin.page("/admin/tracking?status=failed");
    expect(failedOnly).toContain("evt-fail-0001");
    expect(failedOnly).not.toContain("evt-sent-0001");
    expect(await admin.page("/admin/tracking?status=bogus")).toContain("evt-sent-0001");

    await admin.post("/admin/settings", { testEventCode: "TEST42", clickEvent: "Lead", consentMode: "none" });
    const dash = await admin.page("/admin");
    expect(dash).toContain("Meta rejects the Conversions API access token");
    expect(dash).toContain("Delivery to pixel 1234567 is paused");
    expect(dash).toContain("1 event waiting to be sent will be too old for Meta within a day.");
    expect(dash).toContain("Test mode is on (code TEST42)");
  });
});

describe("admin forms with bad input", () => {
  it("never answer 500 to garbage, oversized or missing fields", async () => {
    const admin = await signedIn();
    await t!.createLink(release("night-drive"));
    const huge = "x".repeat(200_000);
    const garbage: Record<string, string>[] = [
      {},
      { action: "save" },
      { action: "add-dest", "dest-0-present": "1" },
      { action: "add-tour", type: "bio" },
      { action: "save", type: "bio", title: huge, slug: huge, bio: huge, artworkUrl: huge, pixelId: huge, accessToken: huge, clickEvent: huge, clickEventCustom: huge, featuredSlug: huge },
      { action: "save", title: "T", slug: "ok-slug", "dest-0-present": "1", "dest-0-url": "https://x", "dest-0-pos": "NaN", "dest-59-url": "http://[::1", "tour-0-date": "\u0000" },
      { action: "save", title: "T", slug: "ok-slug", clickEvent: "custom", clickEventCustom: "" , featuredSlug: "night-drive", type: "weird" },
      { action: "save", title: "T", slug: "admin", accessToken: "short" },
      Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`dest-${i}-url`, `https://open.spotify.com/track/${i}`])),
    ];
    const targets = ["/admin/links", "/admin/links/night-drive"];
    for (const path of targets) {
      for (const fields of garbage) {
        for (const multipart of [false, true]) {
          const res = await admin.post(path, { action: "save", ...fields }, { multipart });
          expect(res.status).toBeLessThan(500);
        }
      }
    }
    for (const fields of garbage) {
      for (const path of ["/admin/settings", "/admin/settings/tokens", "/admin/settings/tokens/abc/revoke", "/admin/settings/tokens/99999999999999999999/revoke", "/admin/links/night-drive/publish"]) {
        expect((await admin.post(path, fields)).status).toBeLessThan(500);
      }
    }
    // Bodies that are not forms at all.
    for (const [type, body] of [["application/json", "{bad json"], ["multipart/form-data; boundary=zz", "garbage"], ["text/plain", huge], ["application/x-www-form-urlencoded", "%%%&&&==="]]) {
      for (const path of ["/admin/links", "/admin/settings", "/admin/login", "/admin/settings/tokens"]) {
        const res = await t!.req(path, { method: "POST", headers: { cookie: admin.cookie, "content-type": type! }, body });
        expect(res.status).toBeLessThan(500);
      }
    }
    for (const path of ["/admin/tools/utm?link[]=x&source=%00", "/admin/tracking?status[]=1", "/admin?q=" + "%F0".repeat(10), "/admin/detect?url=%%%", "/admin/links/%00", "/admin/links/" + "x".repeat(3000)]) {
      expect((await admin.get(path)).status).toBeLessThan(500);
    }
    // The link survived all of that unchanged.
    expect((await (await t!.api("GET", "/api/links/night-drive")).json()).title).toBe("Night Drive");
  });
});
