import { afterEach, describe, expect, it } from "bun:test";
import { rmSync } from "node:fs";
import type { Database } from "bun:sqlite";
import { openDatabase } from "../src/db/open";
import { batchCommitter } from "../src/clickout/commit";
import type { EventRecord, TrafficKind } from "../src/clickout/records";
import { rollupJob } from "../src/stats/rollup";
import { statsService } from "../src/stats/service";
import { visitorIds } from "../src/stats/visitor";
import { agentInfo } from "../src/stats/agent";
import { lookupCountry } from "../src/stats/geo";
import { rawClicksCsv } from "../src/stats/export";
import { tempDir } from "./helpers";

const HOUR = 3_600_000;
const at = (iso: string) => Date.parse(iso);

let dirs: string[] = [];
let dbs: Database[] = [];
afterEach(() => {
  for (const db of dbs) db.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dbs = [];
  dirs = [];
});

/** A database with two links: 1 "night-drive" (spotify, apple-music, merch) and 2 "tour". */
function fixtureDb(timeZone = "UTC") {
  const dir = tempDir("outro-analytics-");
  dirs.push(dir);
  const db = openDatabase(dir);
  dbs.push(db);
  db.exec(`INSERT INTO links (id, slug, type, title, created_at, updated_at) VALUES (1, 'night-drive', 'release', 'Night Drive', 0, 0), (2, 'tour', 'release', 'Tour', 0, 0)`);
  db.exec(`INSERT INTO destinations (link_id, position, key, service, label, url) VALUES
    (1, 0, 'spotify', 'spotify', NULL, 'https://open.spotify.com/x'), (1, 1, 'apple-music', 'apple-music', NULL, 'https://music.apple.com/x'),
    (1, 2, 'merch', NULL, 'Merch', 'https://merch.example'), (2, 0, 'spotify', 'spotify', NULL, 'https://open.spotify.com/y')`);
  db.query("INSERT INTO settings (key, value) VALUES ('timeZone', ?1)").run(JSON.stringify(timeZone));
  return { db, commit: batchCommitter(db), job: rollupJob(db, { batch: 3 }) };
}

let seq = 0;
type Ev = Partial<EventRecord> & { t: "click" | "view"; ts: number };
/** One raw event as the click writer receives it; unset dimensions stay null. */
const ev = (e: Ev): EventRecord => ({
  linkId: 1, destKey: "", eventId: `ev-${++seq}-${Math.random().toString(36).slice(2)}`, kind: "human" as TrafficKind, device: "mobile",
  referrer: null, utm: [null, null, null, null, null], country: null, os: null, app: null, visitor: null, events: [], ...e,
});
const link = (db: Database, slug: string) => {
  const l = db.query<{ id: number; slug: string; title: string }, [string]>("SELECT id, slug, title FROM links WHERE slug = ?1").get(slug)!;
  const destinations = db.query<{ key: string; service: string | null; label: string | null; url: string }, [number]>(
    "SELECT key, service, label, url FROM destinations WHERE link_id = ?1 ORDER BY position").all(l.id);
  return { ...l, destinations } as never;
};
const row = (rows: { value: string | null; views: number; clicks: number }[], value: string | null) => {
  const r = rows.find((x) => x.value === value);
  return r ? [r.views, r.clicks] : [0, 0];
};

describe("analytics: aggregates against hand-computed fixtures", () => {
  it("counts views, visitors, click-outs, CTR, destinations, services, days and every dimension; bots and prefetches apart", () => {
    const { db, commit, job } = fixtureDb();
    const d1 = "2026-05-04T10:15:00Z";
    const d2 = "2026-05-05T20:45:00Z";
    const ig = { app: "instagram", os: "ios", device: "mobile" };
    commit([
      // Day 1, link 1: three fan views (two by visitor 11), one bot view, one prefetch.
      ev({ t: "view", ts: at(d1), ...ig, country: "DE", visitor: 11, referrer: "l.instagram.com", utm: ["instagram", "social", "spring", null, null] }),
      ev({ t: "view", ts: at(d1) + 60_000, ...ig, country: "DE", visitor: 11, referrer: "l.instagram.com", utm: ["instagram", "social", "spring", null, null] }),
      ev({ t: "view", ts: at(d1) + HOUR, device: "desktop", os: "windows", country: "FR", visitor: 12 }),
      ev({ t: "view", ts: at(d1), kind: "bot", device: "other" }),
      ev({ t: "view", ts: at(d1), kind: "prefetch", device: "mobile" }),
      // Day 1 click-outs: two fans to spotify (one from Instagram), one to merch, a preview bot, a HEAD.
      ev({ t: "click", ts: at(d1) + 120_000, destKey: "spotify", ...ig, country: "DE", visitor: 11, referrer: "l.instagram.com", utm: ["instagram", "social", "spring", null, null] }),
      ev({ t: "click", ts: at(d1) + HOUR, destKey: "spotify", device: "desktop", os: "windows", country: "FR", visitor: 12 }),
      ev({ t: "click", ts: at(d1) + HOUR, destKey: "merch", device: "desktop", os: "windows", country: "FR", visitor: 12 }),
      ev({ t: "click", ts: at(d1), destKey: "spotify", kind: "bot", device: "other" }),
      ev({ t: "click", ts: at(d1), destKey: "apple-music", kind: "head", device: "other" }),
      // Day 2: visitor 11's id of the next day is another number (new salt): one view, one apple-music click.
      ev({ t: "view", ts: at(d2), device: "tablet", os: "android", app: "tiktok", country: "US", visitor: 21, utm: ["tiktok", "paid", "spring", null, null] }),
      ev({ t: "click", ts: at(d2), destKey: "apple-music", device: "tablet", os: "android", app: "tiktok", country: "US", visitor: 21, utm: ["tiktok", "paid", "spring", null, null] }),
      // Link 2, day 2: one view by visitor 21 too (counts once for the instance that day).
      ev({ t: "view", ts: at(d2), linkId: 2, device: "tablet", os: "android", app: "tiktok", country: "US", visitor: 21 }),
    ]);
    expect(job.catchUp()).toBe(13);
    const stats = statsService(db, () => at("2026-05-06T12:00:00Z"));
    const range = stats.range({ from: "2026-05-04", to: "2026-05-05" });
    const s = stats.link(link(db, "night-drive"), range);

    expect([s.views, s.visitors, s.clicks, s.ctr]).toEqual([4, 3, 4, 1]);
    expect(s.excluded).toEqual({ views: 2, clicks: 2 });
    expect(s.excludedByKind).toEqual({ bot: { views: 1, clicks: 1 }, prefetch: { views: 1, clicks: 0 }, head: { views: 0, clicks: 1 } });
    expect(s.destinations.map((d) => [d.key, d.clicks, d.ctr])).toEqual([["spotify", 2, 0.5], ["apple-music", 1, 0.25], ["merch", 1, 0.25]]);
    expect(s.services).toEqual([{ service: "spotify", clicks: 2 }, { service: "apple-music", clicks: 1 }, { service: null, clicks: 1 }]);
    expect(s.days).toEqual([
      { date: "2026-05-04", views: 3, clicks: 3, ctr: 1, visitors: 2 },
      { date: "2026-05-05", views: 1, clicks: 1, ctr: 1, visitors: 1 },
    ]);
    const d = s.dimensions!;
    expect(row(d.utmSource, "instagram")).toEqual([2, 1]);
    expect(row(d.utmSource, "tiktok")).toEqual([1, 1]);
    expect(row(d.utmSource, null)).toEqual([1, 2]);
    expect(row(d.utmMedium, "social")).toEqual([2, 1]);
    expect(row(d.utmMedium, "paid")).toEqual([1, 1]);
    expect(row(d.utmCampaign, "spring")).toEqual([3, 2]);
    expect(row(d.referrers, "l.instagram.com")).toEqual([2, 1]);
    expect(row(d.referrers, null)).toEqual([2, 3]);
    expect(row(d.apps, "instagram")).toEqual([2, 1]);
    expect(row(d.apps, "tiktok")).toEqual([1, 1]);
    expect(row(d.apps, null)).toEqual([1, 2]);
    expect(row(d.countries, "DE")).toEqual([2, 1]);
    expect(row(d.countries, "FR")).toEqual([1, 2]);
    expect(row(d.countries, "US")).toEqual([1, 1]);
    expect(row(d.devices, "mobile")).toEqual([2, 1]);
    expect(row(d.devices, "desktop")).toEqual([1, 2]);
    expect(row(d.devices, "tablet")).toEqual([1, 1]);
    expect(row(d.devices, "other")).toEqual([0, 0]);
    expect(row(d.os, "ios")).toEqual([2, 1]);
    expect(row(d.os, "windows")).toEqual([1, 2]);
    expect(row(d.os, "android")).toEqual([1, 1]);
    expect(d.utmSource.find((r) => r.value === "instagram")!.ctr).toBe(0.5);

    const all = stats.instance(range);
    expect([all.views, all.visitors, all.clicks, all.ctr]).toEqual([5, 3, 4, 0.8]);
    expect(all.excluded).toEqual({ views: 2, clicks: 2 });
    expect(all.links.map((l) => [l.slug, l.views, l.clicks])).toEqual([["night-drive", 4, 4], ["tour", 1, 0]]);
    expect(all.days.map((x) => [x.date, x.views, x.clicks, x.visitors])).toEqual([["2026-05-04", 3, 3, 2], ["2026-05-05", 2, 1, 1]]);
    expect(row(all.dimensions.countries, "US")).toEqual([2, 1]);

    // Only rollups are read: with every raw row gone the figures stay the same.
    db.exec("DELETE FROM clicks; DELETE FROM page_views;");
    expect(stats.link(link(db, "night-drive"), range)).toEqual(s);
    expect(stats.instance(range)).toEqual(all);

    // A range that leaves day 1 out.
    const day2 = stats.link(link(db, "night-drive"), stats.range({ from: "2026-05-05", to: "2026-05-05" }));
    expect([day2.views, day2.visitors, day2.clicks]).toEqual([1, 1, 1]);
  });

  it("is incremental: a second run folds only the new rows, and a client's repeated eid adds nothing", () => {
    const { db, commit, job } = fixtureDb();
    const first = ev({ t: "view", ts: at("2026-05-04T10:00:00Z"), country: "DE", visitor: 1 });
    const tap = ev({ t: "click", ts: at("2026-05-04T10:01:00Z"), destKey: "spotify", clientEid: true });
    commit([first, tap]);
    expect(job.catchUp()).toBe(2);
    expect(job.catchUp()).toBe(0);
    commit([{ ...tap }, ev({ t: "view", ts: at("2026-05-04T11:00:00Z"), country: "DE", visitor: 2 })]);
    expect(job.catchUp()).toBe(1);
    const stats = statsService(db, () => at("2026-05-04T12:00:00Z"));
    const s = stats.link(link(db, "night-drive"), stats.range({ days: 1 }));
    expect([s.views, s.visitors, s.clicks]).toEqual([2, 2, 1]);
    expect(row(s.dimensions!.countries, "DE")).toEqual([2, 0]);
  });

  it("counts each row once when two connections fold at the same time: a batch read before the other wrote is read again", () => {
    const { db, commit } = fixtureDb();
    const events = Array.from({ length: 10 }, (_, i) =>
      ev({ t: i % 2 ? "click" : "view", ts: at("2026-05-04T10:00:00Z") + i * 1000, destKey: i % 2 ? "spotify" : "", country: "DE", visitor: i % 3 }));
    commit(events);
    const other = openDatabase(dirs.at(-1)!);
    dbs.push(other);
    const otherJob = rollupJob(other, { batch: 4 });
    let raced = 0;
    // Between this job's read and its write, the other connection folds the same rows first.
    const job = rollupJob(db, { batch: 3, afterRead: () => { if (raced++ === 0) otherJob.catchUp(); } });
    expect(job.catchUp()).toBe(0);
    expect(raced).toBe(1);
    const stats = statsService(db, () => at("2026-05-04T12:00:00Z"));
    const s = stats.link(link(db, "night-drive"), stats.range({ days: 1 }));
    // 5 views, 5 click-outs, visitors 0, 1 and 2: each once, however the two jobs interleaved.
    expect([s.views, s.visitors, s.clicks]).toEqual([5, 3, 5]);
    expect(row(s.dimensions!.countries, "DE")).toEqual([5, 5]);
  });
});

describe("analytics: days start in the instance time zone", () => {
  // 2026-03-10 in New York (EDT, UTC-4 since March 8) runs from 04:00Z to 04:00Z the next day.
  const NY = ["2026-03-10T03:59:00Z", "2026-03-10T04:00:00Z", "2026-03-11T03:59:00Z", "2026-03-11T04:00:00Z"];
  // 2026-01-02 in Tokyo (UTC+9) starts at 2026-01-01T15:00Z.
  const TOKYO = ["2026-01-01T14:59:00Z", "2026-01-01T15:00:00Z"];

  it("puts views either side of midnight in America/New_York on the right days", () => {
    const { db, commit, job } = fixtureDb("America/New_York");
    commit(NY.map((ts, i) => ev({ t: "view", ts: at(ts), visitor: i })));
    job.catchUp();
    const stats = statsService(db, () => at("2026-03-11T12:00:00Z"));
    const s = stats.link(link(db, "night-drive"), stats.range({ from: "2026-03-09", to: "2026-03-11" }));
    expect(s.timeZone).toBe("America/New_York");
    expect(s.days.map((d) => [d.date, d.views, d.visitors])).toEqual([["2026-03-09", 1, 1], ["2026-03-10", 2, 2], ["2026-03-11", 1, 1]]);
    // The same rows read in UTC: the 03:59Z views belong to the 10th and the 11th.
    const utc = stats.link(link(db, "night-drive"), stats.range({ from: "2026-03-09", to: "2026-03-11", tz: "UTC" }));
    expect(utc.days.map((d) => [d.date, d.views])).toEqual([["2026-03-09", 0], ["2026-03-10", 2], ["2026-03-11", 2]]);
    // "Last 1 day" ends today in New York.
    expect(stats.link(link(db, "night-drive"), stats.range({ days: 1 })).views).toBe(1);
  });

  it("puts views either side of midnight in Asia/Tokyo on the right days, instance-wide too", () => {
    const { db, commit, job } = fixtureDb("Asia/Tokyo");
    commit(TOKYO.map((ts, i) => ev({ t: "view", ts: at(ts), visitor: 100 + i })));
    job.catchUp();
    const stats = statsService(db, () => at("2026-01-02T00:00:00Z"));
    const range = stats.range({ from: "2026-01-01", to: "2026-01-02" });
    expect(stats.link(link(db, "night-drive"), range).days.map((d) => [d.date, d.views])).toEqual([["2026-01-01", 1], ["2026-01-02", 1]]);
    expect(stats.instance(range).days.map((d) => [d.date, d.views, d.visitors])).toEqual([["2026-01-01", 1, 1], ["2026-01-02", 1, 1]]);
  });
});

describe("analytics: the daily tier follows the time zone setting", () => {
  it("rebuilds the days from the hourly rollups when the zone changes, and reads other zones from both tiers", () => {
    const { db, commit, job } = fixtureDb("UTC");
    // Hours around midnight UTC and around midnight in Tokyo (15:00Z), over three days.
    const times = ["2026-02-01T14:30:00Z", "2026-02-01T15:30:00Z", "2026-02-01T23:30:00Z", "2026-02-02T00:30:00Z", "2026-02-02T14:59:00Z", "2026-02-02T15:00:00Z", "2026-02-03T09:00:00Z"];
    commit(times.map((ts, i) => ev({ t: "view", ts: at(ts), country: i % 2 ? "JP" : "US", visitor: i })));
    job.catchUp();
    const stats = statsService(db, () => at("2026-02-03T12:00:00Z"));
    const read = (tz: string) => stats.instance(stats.range({ from: "2026-02-01", to: "2026-02-03", tz }));
    const utcDays = [["2026-02-01", 3], ["2026-02-02", 3], ["2026-02-03", 1]];
    const tokyoDays = [["2026-02-01", 1], ["2026-02-02", 4], ["2026-02-03", 2]];
    const days = (s: ReturnType<typeof read>) => s.days.map((d) => [d.date, d.views]);
    expect(days(read("UTC"))).toEqual(utcDays);
    // Tokyo read while the daily tier is in UTC: whole UTC days plus edge hours.
    const tokyoBefore = read("Asia/Tokyo");
    expect(days(tokyoBefore)).toEqual(tokyoDays);
    db.query("UPDATE settings SET value = ?1 WHERE key = 'timeZone'").run(JSON.stringify("Asia/Tokyo"));
    job.step();
    expect(db.query("SELECT zone FROM rollup_zone").get()).toEqual({ zone: "Asia/Tokyo" });
    const tokyoAfter = read("Asia/Tokyo");
    expect(days(tokyoAfter)).toEqual(tokyoDays);
    expect(tokyoAfter.dimensions).toEqual(tokyoBefore.dimensions);
    expect(days(read("UTC"))).toEqual(utcDays);
    expect(read("UTC").dimensions.countries).toEqual([{ value: "US", views: 4, clicks: 0, ctr: 0 }, { value: "JP", views: 3, clicks: 0, ctr: 0 }]);
  });
});

describe("analytics: unique visitors across the daily salt rotation", () => {
  it("gives the same fan the same id all day and a new one the next day (in the instance's zone)", () => {
    const { db } = fixtureDb();
    const ids = visitorIds(db, () => "America/New_York");
    const ua = "Mozilla/5.0 (iPhone)";
    // 2026-06-01 in New York: 04:00Z to 04:00Z.
    const morning = ids.visitor("203.0.113.7", ua, at("2026-06-01T05:00:00Z"));
    const night = ids.visitor("203.0.113.7", ua, at("2026-06-02T03:59:00Z"));
    const nextDay = ids.visitor("203.0.113.7", ua, at("2026-06-02T04:00:00Z"));
    expect(night).toBe(morning);
    expect(nextDay).not.toBe(morning);
    expect(ids.visitor("203.0.113.8", ua, at("2026-06-01T05:00:00Z"))).not.toBe(morning);
    expect(ids.visitor("203.0.113.7", `${ua} other`, at("2026-06-01T05:00:00Z"))).not.toBe(morning);
    expect(Number.isSafeInteger(morning)).toBe(true);
    // A second process (another connection) agrees on the day's salt.
    expect(visitorIds(db, () => "America/New_York").visitor("203.0.113.7", ua, at("2026-06-01T12:00:00Z"))).toBe(morning);
    // The raw IP is nowhere in the database.
    expect(db.query("SELECT COUNT(*) AS n FROM visitor_salts").get()).toEqual({ n: 2 });
  });

  it("counts a fan once per day, again the next day, and deletes past salts and hashes", () => {
    const { db, commit, job } = fixtureDb();
    const ids = visitorIds(db, () => "UTC");
    const fan = (ts: string) => ev({ t: "view", ts: at(ts), visitor: ids.visitor("198.51.100.1", "UA", at(ts)) });
    const other = (ts: string) => ev({ t: "view", ts: at(ts), visitor: ids.visitor("198.51.100.2", "UA", at(ts)) });
    commit([fan("2026-06-01T08:00:00Z"), fan("2026-06-01T22:00:00Z"), other("2026-06-01T23:00:00Z"), fan("2026-06-02T01:00:00Z")]);
    job.catchUp();
    const stats = statsService(db, () => at("2026-06-02T12:00:00Z"));
    const s = stats.link(link(db, "night-drive"), stats.range({ from: "2026-06-01", to: "2026-06-02" }));
    expect(s.days.map((d) => [d.date, d.views, d.visitors])).toEqual([["2026-06-01", 3, 2], ["2026-06-02", 1, 1]]);
    expect(s.visitors).toBe(3);
    job.maintain(at("2026-06-02T12:00:00Z"));
    expect(db.query<{ day: string }, []>("SELECT day FROM visitor_salts").all()).toEqual([{ day: "2026-06-02" }]);
    expect(db.query("SELECT COUNT(*) AS n FROM visitor_days WHERE day < '2026-06-01'").get()).toEqual({ n: 0 });
    // Counts stay after the hashes of finished days go.
    job.maintain(at("2026-06-05T12:00:00Z"));
    expect(db.query("SELECT COUNT(*) AS n FROM visitor_days").get()).toEqual({ n: 0 });
    expect(stats.link(link(db, "night-drive"), stats.range({ from: "2026-06-01", to: "2026-06-02" })).visitors).toBe(3);
  });
});

describe("analytics: retention of raw events", () => {
  it("deletes raw rows past the retention in batches, only once folded in, and keeps the aggregates", () => {
    const { db, commit, job } = fixtureDb();
    db.query("INSERT INTO settings (key, value) VALUES ('rawRetentionDays', '30')").run();
    const now = at("2026-07-01T00:00:00Z");
    const old = Array.from({ length: 7 }, (_, i) => ev({ t: "click", ts: now - 40 * 86_400_000 + i, destKey: "spotify", country: "SE" }));
    commit([...old, ev({ t: "click", ts: now - 86_400_000, destKey: "spotify", country: "SE" })]);
    // Not folded yet: nothing may go.
    expect(job.maintain(now, { deleteBatch: 3 }).deleted).toBe(0);
    job.catchUp();
    // A call is bounded: with no time budget it does one batch and says there is more.
    expect(job.maintain(now, { deleteBatch: 3, budgetMs: 0 })).toEqual({ deleted: 3, more: true });
    expect(job.maintain(now, { deleteBatch: 3 })).toEqual({ deleted: 4, more: false });
    expect(db.query("SELECT COUNT(*) AS n FROM clicks").get()).toEqual({ n: 1 });
    const stats = statsService(db, () => now);
    const s = stats.link(link(db, "night-drive"), stats.range({ days: 90 }));
    expect(s.clicks).toBe(8);
    expect(row(s.dimensions!.countries, "SE")).toEqual([0, 8]);
  });
});

describe("analytics: user agents and countries", () => {
  it("names the OS and the in-app browser", () => {
    const ig = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 309.0.2.24.109 (iPhone15,3; iOS 17_1; en_US)";
    const fb = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/120.0 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/445.0.0.34.118;]";
    const messenger = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/MessengerForiOS;FBAV/440.0]";
    const tiktok = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 musical_ly_32.5.0 BytedanceWebview/d8a21c6";
    const snap = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Snapchat/12.60.0.44 (like Safari/8617.1.17.10.5)";
    const x = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Twitter for iPhone/10.20";
    const linkedin = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [LinkedInApp]/9.29.6";
    const mac = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15";
    const win = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";
    expect(agentInfo(ig)).toEqual({ os: "ios", app: "instagram" });
    expect(agentInfo(fb)).toEqual({ os: "android", app: "facebook" });
    expect(agentInfo(messenger)).toEqual({ os: "ios", app: "messenger" });
    expect(agentInfo(tiktok)).toEqual({ os: "ios", app: "tiktok" });
    expect(agentInfo(snap)).toEqual({ os: "ios", app: "snapchat" });
    expect(agentInfo(x).app).toBe("x");
    expect(agentInfo(linkedin).app).toBe("linkedin");
    expect(agentInfo(mac)).toEqual({ os: "macos", app: null });
    expect(agentInfo(win)).toEqual({ os: "windows", app: null });
  });

  it("finds the country of known addresses in the bundled database, offline", () => {
    expect(lookupCountry("8.8.8.8")).toBe("US");
    expect(lookupCountry("81.2.69.160")).toBe("GB");
    expect(lookupCountry("133.11.0.1")).toBe("JP");
    expect(lookupCountry("::ffff:81.2.69.160")).toBe("GB");
    expect(lookupCountry("2001:4860:4860::8888")).toBe("US");
    expect(lookupCountry("127.0.0.1")).toBeNull();
    expect(lookupCountry("not an ip")).toBeNull();
  });
});

describe("analytics: raw click-out export", () => {
  it("streams every click-out of the range as CSV, page by page, formulas defused", async () => {
    const { db, commit } = fixtureDb();
    const ts = at("2026-05-04T10:00:00Z");
    commit(Array.from({ length: 25 }, (_, i) => ev({ t: "click", ts: ts + i, destKey: "spotify", country: "DE", referrer: i === 0 ? "=HYPERLINK(1)" : "x.com" })));
    commit([ev({ t: "click", ts: ts + 86_400_000, destKey: "merch" })]);
    const text = await new Response(rawClicksCsv(db, { linkId: 1, from: ts, to: ts + 86_400_000, pageSize: 10 })).text();
    const lines = text.trim().split("\r\n");
    expect(lines[0]).toBe("time,link,destination,kind,device,os,app,country,referrer,utm_source,utm_medium,utm_campaign,utm_content,utm_term");
    expect(lines).toHaveLength(26);
    expect(lines[1]).toBe("2026-05-04T10:00:00.000Z,night-drive,spotify,human,mobile,,,DE,'=HYPERLINK(1),,,,,");
  });
});
