import { afterAll, afterEach, beforeAll, describe, expect, it } from "bun:test";
import { HUMAN_UA, startApp, eventually, tempDir, type TestApp } from "./helpers";
import { AdminClient, ADMIN_PASSWORD } from "./admin-client";
import { startFakeDestinations, type FakeDestinations } from "./fake-destinations";

const MONITOR_ENV = { LINK_CHECK_TIMEOUT_MS: "300", LINK_CHECK_HOST_GAP_MS: "0", ADMIN_PASSWORD };

describe("dead-link monitor in the app", () => {
  let site: FakeDestinations;
  let t: TestApp;
  let admin: AdminClient;
  const dests = () => [
    { url: `${site.url}/ok`, label: "Works" },
    { url: `${site.url}/gone`, label: "Gone" },
    { url: `${site.url}/down`, label: "Down" },
    { url: `${site.url}/blocked`, label: "Walled" },
    { url: `${site.url}/hang`, label: "Silent" },
  ];
  const health = async (slug = "night-drive") => {
    const res = await t.api("GET", `/api/links/${slug}/health`);
    expect(res.status).toBe(200);
    return res.json() as Promise<{ hideBroken: boolean; lastRunAt: string | null; destinations: { key: string; verdict: string; statusCode: number | null; answer: string | null; consecutiveFailures: number; brokenSince: string | null; hidden: boolean; checkedAt: string | null }[] }>;
  };
  const byKey = async (slug?: string) => Object.fromEntries((await health(slug)).destinations.map((d) => [d.key, d]));

  beforeAll(async () => {
    site = startFakeDestinations();
    t = await startApp(MONITOR_ENV);
    admin = new AdminClient(t);
    await admin.signIn();
    await t.createLink({ slug: "night-drive", title: "Night Drive", destinations: dests() });
  });
  afterAll(async () => {
    await t.close();
    site.close();
  });

  it("answers 'unchecked' before the first run", async () => {
    const h = await health();
    expect(h.lastRunAt).toBeNull();
    expect(h.destinations.map((d) => d.verdict)).toEqual(["unchecked", "unchecked", "unchecked", "unchecked", "unchecked"]);
  });

  it("a run gives each destination its verdict, answer and time", async () => {
    await t.outro.monitor.checkAll("api");
    const d = await byKey();
    expect(d.works).toMatchObject({ verdict: "ok", statusCode: 200, consecutiveFailures: 0 });
    expect(d.gone).toMatchObject({ verdict: "broken", statusCode: 404, answer: "HTTP 404 Not Found (GET)", consecutiveFailures: 1 });
    expect(d.gone!.brokenSince).toBe(d.gone!.checkedAt);
    // One 503 or one timeout is not enough.
    expect(d.down).toMatchObject({ verdict: "unknown", statusCode: 503, consecutiveFailures: 1, brokenSince: null });
    expect(d.silent).toMatchObject({ verdict: "unknown", statusCode: null, answer: "no answer within 0.3 s (timed out)", consecutiveFailures: 1 });
    expect(d.walled).toMatchObject({ verdict: "unknown", statusCode: 403, consecutiveFailures: 0 });
    expect((await health()).lastRunAt).not.toBeNull();
  });

  it("the second failure in a row makes 5xx and timeouts broken; a bot wall stays unknown", async () => {
    await t.outro.monitor.checkAll("api");
    const d = await byKey();
    expect(d.down).toMatchObject({ verdict: "broken", consecutiveFailures: 2 });
    expect(d.silent).toMatchObject({ verdict: "broken", consecutiveFailures: 2 });
    expect(d.walled!.verdict).toBe("unknown");
    expect(Object.values(d).every((x) => x.hidden === false)).toBe(true);
  });

  it("flags broken destinations in the links list, the editor and a dashboard alert", async () => {
    const list = await admin.page("/admin");
    expect(list).toContain('data-broken="3"');
    expect(list).toContain(`Gone: HTTP 404 Not Found (GET) (checked `);
    expect(list).toContain("Silent: no answer within 0.3 s (timed out)");
    expect(list).toMatch(/class="alert error"[^>]*><span>3 destinations are broken/);
    const editor = await admin.page("/admin/links/night-drive");
    const rows = editor.split('<li class="dest-row"').slice(1);
    const note = (i: number) => /data-health="(\w+)"/.exec(rows[i]!)?.[1];
    expect([0, 1, 2, 3, 4].map(note)).toEqual(["ok", "broken", "broken", "unknown", "broken"]);
    expect(rows[1]).toContain("answer seen: HTTP 404 Not Found (GET)");
    expect(rows[1]).toContain("Fans tapping it land on an error.");
  });

  it("leaves broken destinations on the page while hiding is off", async () => {
    const page = await (await t.req("/night-drive")).text();
    for (const key of ["works", "gone", "down", "walled", "silent"]) expect(page).toContain(`/night-drive/go/${key}`);
  });

  it("hides broken destinations once the setting is on, and brings one back when it works again", async () => {
    const settings = await admin.page("/admin/settings");
    expect(settings).toContain('name="hideBroken"');
    const res = await admin.post("/admin/settings", { consentMode: "none", clickEvent: "Lead", hideBroken: "on" });
    expect(res.status).toBe(303);
    let page = await (await t.req("/night-drive")).text();
    expect(page).toContain("/night-drive/go/works");
    expect(page).toContain("/night-drive/go/walled");
    for (const key of ["gone", "down", "silent"]) expect(page).not.toContain(`/night-drive/go/${key}`);
    // Hidden, not deleted: the link keeps the destination, and its click-out still answers.
    const link = await (await t.api("GET", "/api/links/night-drive")).json();
    expect(link.destinations.map((d: { key: string }) => d.key)).toContain("gone");
    expect((await t.req("/night-drive/go/gone")).status).toBe(302);
    expect((await byKey()).gone!.hidden).toBe(true);
    expect(await admin.page("/admin/links/night-drive")).toContain("Hidden from the page until a check sees it work again.");

    // The site comes back: the next check un-hides it without any edit of the link.
    site.set("/gone", 200);
    await t.outro.monitor.checkAll("api");
    page = await (await t.req("/night-drive")).text();
    expect(page).toContain("/night-drive/go/gone");
    expect(page).not.toContain("/night-drive/go/down");
    expect((await byKey()).gone).toMatchObject({ verdict: "ok", hidden: false, brokenSince: null });

    // A destination the artist drops stops counting at once, without waiting for the next run.
    expect(t.outro.monitor.brokenCount()).toBe(2);
    const { destinations } = await (await t.api("GET", "/api/links/night-drive")).json();
    const without = destinations.filter((d: { key: string }) => d.key !== "down").map((d: { url: string; label: string | null }) => ({ url: d.url, label: d.label }));
    expect((await t.api("PATCH", "/api/links/night-drive", { destinations: without })).status).toBe(200);
    expect(t.outro.monitor.brokenCount()).toBe(1);
    await t.api("PATCH", "/api/links/night-drive", { destinations: dests() });

    // Turning the setting off shows every button again.
    await admin.post("/admin/settings", { consentMode: "none", clickEvent: "Lead" });
    page = await (await t.req("/night-drive")).text();
    expect(page).toContain("/night-drive/go/down");
  });

  it("'check now' on a link checks it in the background", async () => {
    site.set("/down", 200);
    const res = await admin.post("/admin/links/night-drive/check", {});
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/admin/links/night-drive?checking=1");
    await eventually(async () => expect((await byKey()).down!.verdict).toBe("ok"));
  });

  it("'check all now' in the settings starts a run", async () => {
    site.set("/blocked", 200);
    const before = (await health()).lastRunAt;
    const res = await admin.post("/admin/settings/link-check", {});
    expect(res.status).toBe(303);
    await eventually(async () => {
      const h = await health();
      expect(h.lastRunAt).not.toBe(before);
      expect(h.destinations.find((d) => d.key === "walled")!.verdict).toBe("ok");
    });
    expect(await admin.page("/admin/settings")).toContain("Last run: ");
  });

  it("refuses 'check now' without the form's CSRF token, and for an unknown link", async () => {
    const seen = site.requests.length;
    const forged = await admin.post("/admin/links/night-drive/check", { _csrf: "forged" });
    expect(forged.status).toBe(403);
    expect((await admin.post("/admin/settings/link-check", { _csrf: "" })).status).toBe(403);
    const missing = await admin.post("/admin/links/no-such-link/check", {});
    expect(missing.status).toBe(404);
    await Bun.sleep(50);
    expect(site.requests.length).toBe(seen);
  });

  it("the health API needs a token and a known link, and is in the OpenAPI document", async () => {
    expect((await t.api("GET", "/api/links/night-drive/health", undefined, null)).status).toBe(401);
    const missing = await t.api("GET", "/api/links/nope/health");
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe("not_found");
    const doc = await (await t.req("/api/openapi.json")).json();
    const op = doc.paths["/api/links/{slug}/health"]?.get;
    expect(op).toBeDefined();
    expect(JSON.stringify(op.responses["200"])).toContain("consecutiveFailures");
  });
});

describe("monitor scheduler", () => {
  const HOUR = 3_600_000;
  const T0 = Date.UTC(2026, 11, 1, 6, 0, 0);
  let site: FakeDestinations;
  let dataDir: string;
  const apps: TestApp[] = [];
  const boot = async (clock: () => number, env: Record<string, string> = {}) => {
    const t = await startApp({ ...MONITOR_ENV, LINK_CHECK_INTERVAL_HOURS: "24", DATA_DIR: dataDir, ...env }, { clock });
    apps.push(t);
    return t;
  };
  const runs = (t: TestApp) => t.db.query<{ startedAt: number; finishedAt: number | null }, []>(
    "SELECT started_at AS startedAt, finished_at AS finishedAt FROM monitor_runs ORDER BY id").all();

  beforeAll(() => { site = startFakeDestinations(); });
  afterEach(async () => {
    for (const t of apps.splice(0)) await t.close();
  });
  afterAll(() => site.close());

  it("runs a fresh install soon after start, then 24 h after each run, and a restart keeps the schedule", async () => {
    dataDir = tempDir();
    let now = T0;
    const t = await boot(() => now);
    await t.createLink({ slug: "a", title: "A", destinations: [{ url: `${site.url}/ok` }] });
    expect(t.outro.monitor.tick()).toBeNull();
    now += 10 * 60_000;
    await t.outro.monitor.tick();
    expect(runs(t)).toEqual([{ startedAt: now, finishedAt: now }]);
    const first = now;

    now = first + 24 * HOUR - 1;
    expect(t.outro.monitor.tick()).toBeNull();
    now = first + 24 * HOUR;
    await t.outro.monitor.tick();
    expect(runs(t).length).toBe(2);
    await t.close();
    apps.length = 0;

    // A restart 12 h later: nothing due (not "a fresh start"), the next run still 24 h after the last.
    now = first + 36 * HOUR;
    const again = await boot(() => now);
    expect(again.outro.monitor.tick()).toBeNull();
    expect(again.outro.monitor.status().nextRunAt).toBe(first + 48 * HOUR);
    now = first + 48 * HOUR;
    await again.outro.monitor.tick();
    expect(runs(again).length).toBe(3);
  });

  it("a restart resumes an interrupted run with the URLs it had not checked yet", async () => {
    dataDir = tempDir();
    let now = T0;
    // A long pause per host: the first URL is checked, the other two wait when the app stops.
    const t = await boot(() => now, { LINK_CHECK_HOST_GAP_MS: "60000" });
    await t.createLink({ slug: "b", title: "B", destinations: ["/first", "/second", "/third"].map((p, i) => ({ url: `${site.url}${p}`, label: `L${i}` })) });
    site.requests.length = 0;
    void t.outro.monitor.checkAll("admin");
    await eventually(() => expect(t.db.query("SELECT url FROM link_health").all().length).toBe(1));
    await t.close();
    apps.length = 0;
    expect(site.requests.length).toBe(1);
    const done = site.requests[0]!.path;

    now = T0 + HOUR;
    const again = await boot(() => now);
    expect(runs(again)).toEqual([{ startedAt: T0, finishedAt: null }]);
    await again.outro.monitor.tick();
    expect(runs(again)).toEqual([{ startedAt: T0, finishedAt: now }]);
    expect(site.requests.length).toBe(3);
    expect(site.requests.slice(1).map((r) => r.path)).not.toContain(done);
    expect(again.db.query("SELECT url FROM link_health").all().length).toBe(3);
  });

  it("LINK_CHECK_INTERVAL_HOURS=0 turns scheduled runs off; 'check now' still works", async () => {
    dataDir = tempDir();
    let now = T0;
    const t = await boot(() => now, { LINK_CHECK_INTERVAL_HOURS: "0" });
    await t.createLink({ slug: "c", title: "C", destinations: [{ url: `${site.url}/ok` }] });
    now += 100 * HOUR;
    expect(t.outro.monitor.tick()).toBeNull();
    expect(t.outro.monitor.status().nextRunAt).toBeNull();
    await t.outro.monitor.checkAll("admin");
    expect(runs(t).length).toBe(1);
  });
});

describe("monitor configuration", () => {
  it("rejects bad values with one line naming the variable", async () => {
    const { loadConfig, ConfigError } = await import("../src/config");
    expect(() => loadConfig({ DATA_DIR: tempDir(), LINK_CHECK_TIMEOUT_MS: "fast" })).toThrow(ConfigError);
    expect(() => loadConfig({ DATA_DIR: tempDir(), LINK_CHECK_TIMEOUT_MS: "50" })).toThrow(/LINK_CHECK_TIMEOUT_MS: must be a whole number of milliseconds from 100 to 120000/);
    expect(() => loadConfig({ DATA_DIR: tempDir(), LINK_CHECK_INTERVAL_HOURS: "-1" })).toThrow(/LINK_CHECK_INTERVAL_HOURS/);
    expect(() => loadConfig({ DATA_DIR: tempDir(), LINK_CHECK_HOST_GAP_MS: "1e3" })).toThrow(/LINK_CHECK_HOST_GAP_MS/);
    expect(loadConfig({ DATA_DIR: tempDir() })).toMatchObject({ linkCheckIntervalHours: 24, linkCheckTimeoutMs: 10_000, linkCheckHostGapMs: 2_000 });
  });
});

describe("monitor and per-country URLs", () => {
  let site: FakeDestinations;
  let t: TestApp;
  let admin: AdminClient;
  beforeAll(async () => {
    site = startFakeDestinations();
    t = await startApp({ ...MONITOR_ENV, TRUST_PROXY: "true" });
    admin = new AdminClient(t);
    await admin.signIn();
    await t.createLink({
      slug: "regional", title: "Regional",
      destinations: [
        { url: `${site.url}/ok`, label: "Store", countryUrls: { DE: `${site.url}/gone`, FR: `${site.url}/ok-fr` } },
        { url: `${site.url}/other`, label: "Other" },
      ],
    });
  });
  afterAll(async () => {
    await t.close();
    site.close();
  });

  it("checks each country URL too, reports it in the API and flags it in the admin", async () => {
    await t.outro.monitor.checkAll("api");
    expect(site.requests.some((r) => r.path === "/gone")).toBe(true);
    const h = await (await t.api("GET", "/api/links/regional/health")).json();
    const store = h.destinations.find((d: { key: string }) => d.key === "store");
    expect(store.verdict).toBe("ok");
    expect(store.countries).toEqual([
      expect.objectContaining({ country: "DE", url: `${site.url}/gone`, verdict: "broken", statusCode: 404 }),
      expect.objectContaining({ country: "FR", verdict: "ok" }),
    ]);
    expect(await admin.page("/admin")).toContain("Store (DE): HTTP 404 Not Found (GET)");
    const editor = await admin.page("/admin/links/regional");
    expect(editor).toMatch(/data-country="DE"><small>DE:<\/small><p class="health broken"/);
  });

  it("with hiding on, fans in that country lose only the broken country URL's button", async () => {
    t.settings.set("hideBrokenDestinations", true);
    t.outro.links.touch();
    const page = (country: string) => t.req("/regional", { headers: { "cf-ipcountry": country } }).then((r) => r.text());
    const de = await page("DE");
    expect(de).not.toContain("/regional/go/store");
    expect(de).toContain("/regional/go/other");
    expect(await page("FR")).toContain("/regional/go/store");
    expect(await page("US")).toContain("/regional/go/store");
  });
});

describe("monitor and fan routing", () => {
  it("never auto-routes a returning fan to a destination the page hides", async () => {
    const site = startFakeDestinations();
    const t = await startApp(MONITOR_ENV);
    try {
      await t.createLink({
        slug: "routed", title: "Routed",
        destinations: [{ url: `${site.url}/gone`, service: "spotify" }, { url: `${site.url}/ok`, service: "apple-music" }],
      });
      const autoKey = async () => {
        const html = await (await t.req("/routed", { headers: { "user-agent": HUMAN_UA, cookie: "outro_svc=spotify" } })).text();
        return /class="autoroute"[^>]*data-auto-key="([^"]+)"/.exec(html)?.[1] ?? null;
      };
      expect(await autoKey()).toBe("spotify");
      await t.outro.monitor.checkAll("api");
      // Broken but not hidden: the page (and the auto-route) are as the artist made them.
      expect(await autoKey()).toBe("spotify");
      t.settings.set("hideBrokenDestinations", true);
      t.outro.links.touch();
      expect(await autoKey()).toBeNull();
    } finally {
      await t.close();
      site.close();
    }
  });
});

describe("monitor and bio hubs", () => {
  it("hides a bio hub's broken links and socials too, and checks each shared URL once", async () => {
    const site = startFakeDestinations();
    const t = await startApp({ ...MONITOR_ENV, LINK_CHECK_INTERVAL_HOURS: "24" });
    try {
      await t.createLink({
        slug: "babbage", type: "bio", title: "Babbage",
        destinations: [
          { url: `${site.url}/ok`, label: "Merch" },
          { url: `${site.url}/removed`, label: "Old shop" },
          { url: `${site.url}/gone`, service: "instagram" },
        ],
      });
      // A release sharing the shop's URL: one check serves both links.
      await t.createLink({ slug: "single", title: "Single", destinations: [{ url: `${site.url}/removed`, label: "Old shop" }] });
      site.requests.length = 0;
      await t.outro.monitor.checkAll("api");
      expect(site.requests.filter((r) => r.path === "/removed").map((r) => r.method)).toEqual(["HEAD", "GET"]);
      t.settings.set("hideBrokenDestinations", true);
      t.outro.links.touch();
      const hub = await (await t.req("/babbage")).text();
      expect(hub).toContain("/babbage/go/merch");
      expect(hub).not.toContain("/babbage/go/old-shop");
      expect(hub).not.toContain("/babbage/go/instagram");
      expect(await (await t.req("/single")).text()).not.toContain("/single/go/old-shop");
    } finally {
      await t.close();
      site.close();
    }
  });
});

describe("monitor and tour tickets", () => {
  it("checks the tickets of shows still listed (not past ones), flags and hides a broken one, keeping the show", async () => {
    const site = startFakeDestinations();
    // The public page lists shows by the real date, so the dates are relative to it.
    const day = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
    const [future, past] = [day(40), day(-40)];
    const t = await startApp(MONITOR_ENV);
    try {
      const admin = new AdminClient(t);
      await admin.signIn();
      const saved = await admin.post("/admin/links", {
        action: "save", type: "bio", title: "Babbage", slug: "babbage", published: "on",
        "dest-0-present": "1", "dest-0-url": `${site.url}/ok`, "dest-0-label": "Merch", "dest-0-pos": "1",
        "tour-0-present": "1", "tour-0-date": future, "tour-0-city": "Berlin", "tour-0-venue": "Lido", "tour-0-ticketUrl": `${site.url}/gone`,
        "tour-1-present": "1", "tour-1-date": past, "tour-1-city": "Leeds", "tour-1-venue": "", "tour-1-ticketUrl": `${site.url}/past-show`,
      });
      expect(saved.status).toBe(303);
      await t.outro.monitor.checkAll("api");
      expect(site.requests.map((r) => r.path)).not.toContain("/past-show");
      const h = await (await t.api("GET", "/api/links/babbage/health")).json();
      expect(h.tickets).toEqual([expect.objectContaining({ date: future, city: "Berlin", verdict: "broken", statusCode: 404 })]);
      const list = await admin.page("/admin");
      expect(list).toContain(`Tickets ${future} Berlin: HTTP 404 Not Found (GET)`);
      expect(list).toContain("1 destination is broken (the dead-link monitor found it gone or failing): fans tapping it land on an error.");
      const editor = await admin.page("/admin/links/babbage");
      // Rows are in date order: the past show first, with no word on its ticket; then Berlin's.
      const row = (i: number) => editor.split(`name="tour-${i}-date"`)[1]!.split("</li>")[0]!;
      expect(row(0)).toContain("Leeds");
      expect(row(0)).not.toContain("data-health");
      expect(row(1)).toContain('data-health="broken"');

      expect(await (await t.req("/babbage")).text()).toContain(`/babbage/go/tickets-${future}`);
      t.settings.set("hideBrokenDestinations", true);
      t.outro.links.touch();
      const page = await (await t.req("/babbage")).text();
      expect(page).toContain("Berlin, Lido");
      expect(page).not.toContain(`/babbage/go/tickets-${future}`);
    } finally {
      await t.close();
      site.close();
    }
  });
});

describe("monitor and pre-save links", () => {
  it("checks pre-save links, flags a broken one and leaves it off the countdown page while hiding", async () => {
    const site = startFakeDestinations();
    let now = Date.UTC(2027, 0, 1, 12);
    const t = await startApp(MONITOR_ENV, { clock: () => now });
    try {
      const link = await t.createLink({
        slug: "soon", title: "Soon", artist: "Babbage",
        releaseDate: "2027-01-15", releaseTime: "00:00", releaseTimeZone: "Europe/Berlin",
        destinations: [{ url: `${site.url}/ok`, label: "Shop" }],
        presaves: [{ url: `${site.url}/gone`, label: "Pre-save everywhere" }, { url: `${site.url}/ok-presave`, label: "Pre-add" }],
      });
      const [dead, alive] = link.presaves.map((p: { key: string }) => p.key);
      await t.outro.monitor.checkAll("api");
      const h = await (await t.api("GET", "/api/links/soon/health")).json();
      expect(h.presaves).toEqual([
        expect.objectContaining({ key: dead, verdict: "broken", statusCode: 404 }),
        expect.objectContaining({ key: alive, verdict: "ok" }),
      ]);
      const admin = new AdminClient(t);
      await admin.signIn();
      expect(await admin.page("/admin")).toContain("Pre-save: Pre-save everywhere: HTTP 404 Not Found (GET)");
      const editor = await admin.page("/admin/links/soon");
      expect(editor.split('name="presave-0-url"')[1]!.split("</li>")[0]).toContain('data-health="broken"');

      const countdown = async () => (await t.req("/soon", { headers: { "user-agent": HUMAN_UA } })).text();
      expect(await countdown()).toContain(`/soon/go/${dead}`);
      t.settings.set("hideBrokenDestinations", true);
      t.outro.links.touch();
      const page = await countdown();
      expect(page).not.toContain(`/soon/go/${dead}`);
      expect(page).toContain(`/soon/go/${alive}`);

      // Once the release is out its pre-saves are neither checked nor counted (their pages may go away).
      expect(t.outro.monitor.brokenCount()).toBe(1);
      now = Date.UTC(2027, 0, 16);
      site.requests.length = 0;
      await t.outro.monitor.checkAll("api");
      expect(site.requests.map((r) => r.path)).toEqual(["/ok"]);
      expect((await (await t.api("GET", "/api/links/soon/health")).json()).presaves).toEqual([]);
      expect(t.outro.monitor.brokenCount()).toBe(0);
      expect(await admin.page("/admin")).not.toContain("Pre-save:");
    } finally {
      await t.close();
      site.close();
    }
  });
});
