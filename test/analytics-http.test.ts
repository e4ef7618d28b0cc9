import { afterEach, describe, expect, it } from "bun:test";
import type { Database } from "bun:sqlite";
import { rollupJob } from "../src/stats/rollup";
import { DIMENSION_TABLES } from "../src/stats/service";
import { AdminClient, ADMIN_PASSWORD } from "./admin-client";
import { HUMAN_UA, eventually, release, startApp, type TestApp } from "./helpers";

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const IG = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 309.0.2.24.109";
const TT = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36 musical_ly_32.5.0 BytedanceWebview/d8a21c6";
const DESKTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";
const BOT = "Googlebot/2.1 (+http://www.google.com/bot.html)";

/** Folds everything written so far (the rollup thread would within two seconds). */
const fold = (db: Database) => rollupJob(db).catchUp();

describe("analytics over HTTP: rollups equal a raw recomputation after a mixed workload", () => {
  it("matches GROUP BY over the raw rows for every dimension, per link and instance-wide", async () => {
    t = await startApp({ TRUST_PROXY: "true" });
    await t.createLink(release());
    await t.createLink(release("second", { destinations: [{ url: "https://open.spotify.com/track/z" }, { url: "https://www.deezer.com/track/1" }] }));
    const ips = ["81.2.69.160", "8.8.8.8", "133.11.0.1", "193.0.6.139", "1.1.1.1"];
    const uas = [IG, TT, DESKTOP, HUMAN_UA, BOT];
    const utms = ["", "?utm_source=instagram&utm_medium=social&utm_campaign=spring", "?utm_source=tiktok&utm_medium=paid&utm_campaign=spring", "?utm_source=newsletter"];
    const refs = ["https://l.instagram.com/", "https://www.tiktok.com/", "", "https://news.example/a"];
    let n = 0;
    const requests: Promise<Response>[] = [];
    for (let i = 0; i < 60; i++) {
      const slug = i % 3 === 0 ? "second" : "night-drive";
      const headers: Record<string, string> = { "user-agent": uas[i % uas.length]!, "x-forwarded-for": ips[i % ips.length]! };
      if (refs[i % 4]) headers.referer = refs[i % 4]!;
      if (i % 11 === 0) headers["sec-purpose"] = "prefetch";
      if (i % 7 === 0) headers["cf-ipcountry"] = "CA";
      const q = utms[i % utms.length]!;
      requests.push(t.req(`/${slug}${q}`, { headers }));
      if (i % 2 === 0) {
        const key = slug === "second" ? (i % 4 === 0 ? "deezer" : "spotify") : ["spotify", "apple-music", "merch"][i % 3]!;
        const carry = q ? `${q}&ref=${i % 4 === 0 ? "l.instagram.com" : "x.com"}` : "";
        requests.push(t.req(`/${slug}/go/${key}${carry}`, { headers }));
      }
      n++;
    }
    for (const r of await Promise.all(requests)) expect([200, 302]).toContain(r.status);
    expect(n).toBe(60);
    fold(t.db);

    const raw = (sql: string) => t.db.query<{ value: string | null; n: number }, []>(sql).all();
    const check = async (path: string, linkId: number | null) => {
      const s = await (await t.api("GET", `${path}?days=7`)).json();
      const where = `kind = 'human'${linkId ? ` AND link_id = ${linkId}` : ""}`;
      const count = (table: string) => raw(`SELECT NULL AS value, COUNT(*) AS n FROM ${table} WHERE ${where}`)[0]!.n;
      expect(s.views).toBe(count("page_views"));
      expect(s.clicks).toBe(count("clicks"));
      const others = (table: string) => raw(`SELECT NULL AS value, COUNT(*) AS n FROM ${table} WHERE kind <> 'human'${linkId ? ` AND link_id = ${linkId}` : ""}`)[0]!.n;
      expect(s.excluded).toEqual({ views: others("page_views"), clicks: others("clicks") });
      const visitors = raw(`SELECT NULL AS value, COUNT(DISTINCT visitor) AS n FROM (SELECT visitor FROM page_views WHERE ${where} UNION ALL SELECT visitor FROM clicks WHERE ${where})`)[0]!.n;
      expect(s.visitors).toBe(visitors);
      for (const d of DIMENSION_TABLES) {
        for (const [metric, table] of [["views", "page_views"], ["clicks", "clicks"]] as const) {
          const expected = Object.fromEntries(raw(`SELECT ${d.dim} AS value, COUNT(*) AS n FROM ${table} WHERE ${where} GROUP BY 1`).map((r) => [r.value ?? "", r.n]));
          const got = Object.fromEntries(s.dimensions[d.id].filter((r: any) => r[metric] > 0).map((r: any) => [r.value ?? "", r[metric]]));
          expect({ dim: d.dim, metric, counts: got }).toEqual({ dim: d.dim, metric, counts: expected });
        }
      }
      const services = Object.fromEntries(
        raw(`SELECT d.service AS value, COUNT(*) AS n FROM clicks c LEFT JOIN destinations d ON d.link_id = c.link_id AND d.key = c.dest_key WHERE c.${where.replace(" AND link_id", " AND c.link_id")} GROUP BY 1`)
          .map((r) => [r.value ?? "", r.n]));
      expect(Object.fromEntries(s.services.map((x: any) => [x.service ?? "", x.clicks]))).toEqual(services);
      return s;
    };
    const one = await check("/api/links/night-drive/stats", 1);
    expect(one.destinations.map((d: any) => d.key)).toEqual(["spotify", "apple-music", "merch"]);
    const all = await check("/api/stats", null);
    expect(all.links.map((l: any) => l.slug).sort()).toEqual(["night-drive", "second"]);
    // Real variety reached the rollups.
    expect(all.dimensions.countries.map((c: any) => c.value)).toEqual(expect.arrayContaining(["GB", "US", "JP", "CA"]));
    expect(all.dimensions.apps.map((c: any) => c.value)).toEqual(expect.arrayContaining(["instagram", "tiktok", null]));
    expect(all.dimensions.utmCampaign.map((c: any) => c.value)).toEqual(expect.arrayContaining(["spring"]));
    // No raw IP anywhere: the rows keep only the country and a number.
    const dump = JSON.stringify(t.db.query("SELECT * FROM page_views").all()) + JSON.stringify(t.db.query("SELECT * FROM clicks").all());
    for (const ip of ips) expect(dump).not.toContain(ip);
  }, 30_000);
});

describe("analytics over HTTP: country", () => {
  it("honours CF-IPCountry and X-Forwarded-For only behind a trusted proxy", async () => {
    t = await startApp({ TRUST_PROXY: "true" });
    await t.createLink(release());
    await t.req("/night-drive", { headers: { "user-agent": HUMAN_UA, "x-forwarded-for": "81.2.69.160" } });
    await t.req("/night-drive", { headers: { "user-agent": HUMAN_UA, "x-forwarded-for": "81.2.69.160", "cf-ipcountry": "de" } });
    await t.req("/night-drive/go/spotify", { headers: { "user-agent": HUMAN_UA, "cf-ipcountry": "XX" } });
    const countries = t.db.query<{ country: string | null }, []>("SELECT country FROM page_views UNION ALL SELECT country FROM clicks").all().map((r) => r.country);
    expect(countries).toEqual(["GB", "DE", null]);
  });

  it("ignores CF-IPCountry and X-Forwarded-For without one", async () => {
    t = await startApp();
    await t.createLink(release());
    await t.req("/night-drive", { headers: { "user-agent": HUMAN_UA, "x-forwarded-for": "81.2.69.160", "cf-ipcountry": "DE" } });
    expect(t.db.query("SELECT country FROM page_views").all()).toEqual([{ country: null }]);
  });
});

describe("analytics over HTTP: the rollup thread", () => {
  it("folds new views and click-outs in by itself within seconds", async () => {
    t = await startApp();
    await t.createLink(release());
    await t.req("/night-drive", { headers: { "user-agent": IG } });
    await t.req("/night-drive/go/spotify", { headers: { "user-agent": IG } });
    await eventually(async () => {
      const s = await (await t.api("GET", "/api/stats?days=1")).json();
      expect(s.dimensions.apps).toEqual([{ value: "instagram", views: 1, clicks: 1, ctr: 1 }]);
      expect(s.visitors).toBe(1);
    }, 8000);
  }, 15_000);
});

describe("analytics over HTTP: the stats API", () => {
  it("takes days, from/to and tz, answers every dimension, and rejects bad ranges", async () => {
    t = await startApp();
    await t.createLink(release());
    await t.req("/night-drive?utm_source=ig", { headers: { "user-agent": IG } });
    fold(t.db);
    for (const days of [7, 28, 90]) {
      const s = await (await t.api("GET", `/api/links/night-drive/stats?days=${days}`)).json();
      expect(s.days).toHaveLength(days);
      expect(s.views).toBe(1);
    }
    const today = new Date().toISOString().slice(0, 10);
    const s = await (await t.api("GET", `/api/links/night-drive/stats?from=${today}&to=${today}&tz=UTC`)).json();
    expect(Object.keys(s)).toEqual(expect.arrayContaining(["views", "visitors", "clicks", "ctr", "excluded", "excludedByKind", "destinations", "services", "days", "dimensions", "timeZone", "from", "to"]));
    expect(Object.keys(s.dimensions)).toEqual(DIMENSION_TABLES.map((d) => d.id));
    expect(s.dimensions.apps).toEqual([{ value: "instagram", views: 1, clicks: 0, ctr: 0 }]);
    expect(s.dimensions.utmSource).toEqual([{ value: "ig", views: 1, clicks: 0, ctr: 0 }]);
    expect(s.visitors).toBe(1);
    const tokyo = await (await t.api("GET", "/api/stats?days=7&tz=Asia/Tokyo")).json();
    expect(tokyo.timeZone).toBe("Asia/Tokyo");
    expect(tokyo.views).toBe(1);
    for (const bad of ["tz=Mars/Base", "from=2026-13-01", "from=2026-05-02&to=2026-05-01", "from=2020-01-01&to=2026-01-01", "days=0"]) {
      const res = await t.api("GET", `/api/stats?${bad}`);
      expect({ bad, status: res.status }).toEqual({ bad, status: 422 });
      expect((await res.json()).error.code).toBeString();
    }
    expect((await t.api("GET", "/api/stats", undefined, null)).status).toBe(401);
  });
});

describe("analytics over HTTP: the dashboard", () => {
  it("shows charts with tables and CSV exports to a signed-in admin only", async () => {
    t = await startApp({ ADMIN_PASSWORD });
    await t.createLink(release("night-drive", { title: "<script>alert(1)</script>" }));
    await t.req("/night-drive?utm_campaign=%3Cb%3Espring", { headers: { "user-agent": IG } });
    await t.req("/night-drive/go/spotify?utm_campaign=%3Cb%3Espring", { headers: { "user-agent": IG } });
    fold(t.db);
    const anonymous = await t.req("/admin/stats");
    expect(anonymous.status).toBe(303);
    expect((await t.req("/admin/stats/export.csv")).status).toBe(303);
    expect((await t.req("/admin/stats/clicks.csv")).status).toBe(303);

    const admin = new AdminClient(t);
    await admin.signIn();
    for (const path of ["/admin/stats?days=90", "/admin/stats/link/night-drive?days=7"]) {
      const res = await admin.get(path);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
      const html = await res.text();
      expect(html).toContain("<svg");
      expect(html).toContain("<table");
      for (const id of ["days", "services", "utmCampaign", "countries", "apps", "os", "devices", "referrers"]) expect(html).toContain(`id="${id}"`);
      expect(html).not.toContain("<script>alert(1)");
      expect(html).not.toContain("<b>spring");
      expect(html).toContain("&lt;b&gt;spring");
    }
    const csv = await admin.get("/admin/stats/link/night-drive/export.csv?table=utmCampaign&days=7");
    expect(csv.headers.get("content-type")).toContain("text/csv");
    expect(await csv.text()).toBe("utmCampaign,page_views,click_outs,ctr\r\n<b>spring,1,1,1\r\n");
    const days = await (await admin.get("/admin/stats/export.csv?days=7")).text();
    expect(days.split("\r\n")[0]).toBe("date,page_views,visitors,click_outs,ctr");
    expect(days.trim().split("\r\n")).toHaveLength(8);
    const clicks = await (await admin.get("/admin/stats/clicks.csv?days=7")).text();
    expect(clicks.trim().split("\r\n")).toHaveLength(2);
    expect(clicks).toContain(",night-drive,spotify,human,mobile,ios,instagram,");
    expect((await admin.get("/admin/stats/link/nope")).status).toBe(404);
    expect((await admin.get("/admin/stats/export.csv?table=nope")).status).toBe(404);
  });

  it("saves the time zone and the retention from the stats page, CSRF-checked", async () => {
    t = await startApp({ ADMIN_PASSWORD });
    const admin = new AdminClient(t);
    await admin.signIn();
    await admin.page("/admin/stats");
    expect((await admin.post("/admin/stats/settings", { timeZone: "Asia/Tokyo", rawRetentionDays: "400", _csrf: "wrong" })).status).toBe(403);
    expect((await admin.post("/admin/stats/settings", { timeZone: "Mars/Base", rawRetentionDays: "400" })).status).toBe(422);
    const ok = await admin.post("/admin/stats/settings", { timeZone: "Asia/Tokyo", rawRetentionDays: "400" });
    expect(ok.status).toBe(200);
    expect(t.settings.get()).toMatchObject({ timeZone: "Asia/Tokyo", rawRetentionDays: 400 });
    const s = await (await t.api("GET", "/api/stats?days=7")).json();
    expect(s.timeZone).toBe("Asia/Tokyo");
    expect(() => t.settings.set("timeZone", "Nowhere/Land")).toThrow();
  });
});
