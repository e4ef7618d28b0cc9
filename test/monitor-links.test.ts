import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { HUMAN_UA, startApp, type TestApp } from "./helpers";
import { AdminClient } from "./admin-client";
import { MONITOR_ENV, startFakeDestinations, type FakeDestinations } from "./fake-destinations";

// The monitor across everything a page links to: country URLs, auto-route, bio hubs, tickets, pre-saves.
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
