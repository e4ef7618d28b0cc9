// Analytics at scale: generates EVENTS page views and click-outs (default 10 million) over 90 days
// straight into SQLite, runs the incremental rollup job to completion, then times the dashboards
// and the stats API (median of several runs each) and prints the database size per million events.
//   npm run bench:analytics            EVENTS=1000000 npm run bench:analytics   KEEP=1 keeps the data dir
import { rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../src/config";
import { databasePath, openDatabase } from "../src/db/open";
import { createApp } from "../src/app";
import { rollupJob } from "../src/stats/rollup";
import { sessionStore } from "../src/admin/auth";
import { tempDir } from "../test/helpers";

const EVENTS = Number(process.env.EVENTS ?? 10_000_000);
const LINKS = Number(process.env.LINKS ?? 40);
const DAYS = 90;
const RUNS = Number(process.env.RUNS ?? 7);
const TARGET_MS = 150;
const DAY = 86_400_000;

const dir = tempDir("outro-bench-analytics-");
const db = openDatabase(dir);
const now = Date.now();
const start = now - DAYS * DAY;
const seconds = (t0: number) => ((performance.now() - t0) / 1000).toFixed(1);

// Links: release links with four services and a merch link; link popularity is skewed (link 1 the busiest).
db.transaction(() => {
  const link = db.query("INSERT INTO links (id, slug, type, title, artist, created_at, updated_at) VALUES (?1, ?2, 'release', ?3, 'Bench', ?4, ?4)");
  const dest = db.query("INSERT INTO destinations (link_id, position, key, service, label, url) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  for (let i = 1; i <= LINKS; i++) {
    link.run(i, `release-${i}`, `Release ${i}`, start);
    ["spotify", "apple-music", "youtube-music", "deezer"].forEach((s, p) => dest.run(i, p, s, s, null, `https://${s}.example/${i}`));
    dest.run(i, 4, "merch", null, "Merch", `https://merch.example/${i}`);
  }
})();

// Column expressions: skewed picks from short lists, so the rollups see realistic cardinality.
const pick = (values: string[], weights?: number[]) => {
  const w = weights ?? values.map(() => 1);
  const total = w.reduce((a, b) => a + b, 0);
  let acc = 0;
  const arms = values.map((v, i) => {
    acc += w[i]!;
    return `WHEN r < ${acc} THEN ${v === "NULL" ? "NULL" : `'${v}'`}`;
  });
  return `(SELECT CASE ${arms.join(" ")} END FROM (SELECT abs(random()) % ${total} AS r))`;
};
const LINK = `(1 + CAST(${LINKS} * (abs(random()) % 1000000) / 1000000.0 * (abs(random()) % 1000000) / 1000000.0 AS INTEGER))`;
const COLUMNS = {
  kind: pick(["human", "bot", "prefetch", "head"], [95, 3, 1, 1]),
  device: pick(["mobile", "desktop", "tablet", "other"], [70, 22, 6, 2]),
  referrer: pick(["l.instagram.com", "www.tiktok.com", "t.co", "m.facebook.com", "www.google.com", "NULL", "news.example"], [30, 20, 5, 10, 5, 25, 5]),
  utm_source: pick(["instagram", "tiktok", "newsletter", "facebook", "x", "NULL"], [30, 20, 5, 10, 5, 30]),
  utm_medium: pick(["social", "paid", "email", "NULL"], [40, 20, 5, 35]),
  utm_campaign: pick(["spring-tour", "single-1", "single-2", "album", "presave", "NULL"], [15, 15, 10, 20, 5, 35]),
  country: pick(["US", "GB", "DE", "FR", "BR", "MX", "JP", "CA", "AU", "NL", "SE", "ES", "IT", "PL", "IN", "NULL"], [25, 12, 10, 6, 6, 5, 4, 5, 4, 3, 3, 4, 3, 3, 5, 2]),
  os: pick(["ios", "android", "windows", "macos", "linux"], [45, 30, 12, 10, 3]),
  app: pick(["instagram", "tiktok", "facebook", "messenger", "snapchat", "x", "NULL"], [25, 15, 8, 2, 2, 3, 45]),
};

/** Inserts `count` rows into a raw table in transactions of a million, with recursive CTEs. */
function generate(table: "page_views" | "clicks", count: number, prefix: string) {
  const chunk = 1_000_000;
  const span = DAYS * DAY;
  const dest = pick(["spotify", "apple-music", "youtube-music", "deezer", "merch"], [45, 25, 12, 8, 10]);
  for (let done = 0; done < count; done += chunk) {
    const n = Math.min(chunk, count - done);
    db.transaction(() => {
      db.exec(`
        WITH RECURSIVE seq(x) AS (SELECT ${done} UNION ALL SELECT x + 1 FROM seq WHERE x < ${done + n - 1})
        INSERT INTO ${table} (ts, link_id, ${table === "clicks" ? "dest_key, " : ""}event_id, kind, device, referrer,
          utm_source, utm_medium, utm_campaign, country, os, app, visitor)
        SELECT ts, ${LINK}, ${table === "clicks" ? `${dest}, ` : ""}'${prefix}' || x, kind, device, referrer, utm_source, utm_medium, utm_campaign,
          CASE WHEN kind = 'human' THEN country END, CASE WHEN kind = 'human' THEN os END, CASE WHEN kind = 'human' THEN app END,
          -- Fans return: a pool of 60 000 ids per day, so a day has repeat visitors.
          CASE WHEN kind = 'human' THEN (ts / ${DAY}) * 1000000 + abs(random()) % 60000 END
        FROM (SELECT ${start} + x * ${Math.floor(span / count)} AS ts, x, ${Object.entries(COLUMNS).map(([k, v]) => `${v} AS ${k}`).join(", ")} FROM seq)`);
    })();
    // The app checkpoints on its own thread; here nobody does, so keep the WAL from growing to gigabytes.
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }
}

console.log(`outro analytics bench: ${EVENTS.toLocaleString("en-US")} events (3 views : 1 click-out), ${LINKS} links, ${DAYS} days`);
let t0 = performance.now();
const views = Math.round(EVENTS * 0.75);
generate("page_views", views, "v");
generate("clicks", EVENTS - views, "c");
// rollup_hourly is kept on write by the write thread; the generator bypasses it, so build it once here.
db.exec(`INSERT INTO rollup_hourly (link_id, hour, metric, dest_key, humans, others)
  SELECT link_id, ts / 3600000, 'view', '', SUM(kind = 'human'), SUM(kind <> 'human') FROM page_views GROUP BY 1, 2`);
db.exec(`INSERT INTO rollup_hourly (link_id, hour, metric, dest_key, humans, others)
  SELECT link_id, ts / 3600000, 'click', dest_key, SUM(kind = 'human'), SUM(kind <> 'human') FROM clicks GROUP BY 1, 2, 4`);
db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
console.log(`generated in ${seconds(t0)} s`);

t0 = performance.now();
const job = rollupJob(db, { batch: 50_000 });
let folded = 0;
for (let n = job.step(), steps = 1; n > 0; n = job.step(), steps++) {
  folded += n;
  // As the write thread does: housekeeping now and then (here it drops finished days' visitor hashes).
  if (steps % 20 === 0) job.maintain(now);
  if (steps % 40 === 0) db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
}
job.maintain(now);
db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
const jobSeconds = (performance.now() - t0) / 1000;
console.log(`rollup job: ${folded.toLocaleString("en-US")} raw rows folded in ${jobSeconds.toFixed(1)} s (${Math.round(folded / jobSeconds).toLocaleString("en-US")} rows/s)`);

const size = statSync(databasePath(dir)).size;
const pragma = (name: string) => db.query<Record<string, number>, []>(`PRAGMA ${name}`).get()![name]!;
const live = (pragma("page_count") - pragma("freelist_count")) * pragma("page_size");
const rows = (t: string) => db.query<{ n: number }, []>(`SELECT COUNT(*) AS n FROM ${t}`).get()!.n;
console.log(`database: ${(size / 1e6).toFixed(0)} MB file (${(live / 1e6).toFixed(0)} MB in use), ${(size / 1e6 / (EVENTS / 1e6)).toFixed(1)} MB per million events; rollup_dims ${rows("rollup_dims").toLocaleString("en-US")} rows, rollup_hourly ${rows("rollup_hourly").toLocaleString("en-US")} rows`);
try {
  const tables = db.query<{ name: string; mb: number }, []>("SELECT name, ROUND(SUM(pgsize) / 1e6, 1) AS mb FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 8").all();
  console.log(`largest tables and indexes (MB): ${tables.map((t) => `${t.name} ${t.mb}`).join(", ")}`);
} catch {
  // dbstat is optional in SQLite builds.
}

// The app on the generated database, an admin session made directly in the store.
const config = loadConfig({ DATA_DIR: dir, API_TOKEN: "bench-token-0123456789", ADMIN_PASSWORD: "bench-password", PORT: "0" });
const outro = createApp({ config, db });
const session = sessionStore(db, Date.now).create();
const headers = { cookie: `outro_admin=${session.token}`, authorization: "Bearer bench-token-0123456789" };

async function time(path: string): Promise<{ median: number; status: number; bytes: number }> {
  const times: number[] = [];
  let status = 0;
  let bytes = 0;
  for (let i = 0; i < RUNS + 1; i++) {
    const t = performance.now();
    const res = await outro.app.handle(new Request(`http://localhost${path}`, { headers }));
    const body = await res.text();
    // The first run warms the statement cache and the page cache; it is not counted.
    if (i > 0) times.push(performance.now() - t);
    status = res.status;
    bytes = body.length;
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)]!, status, bytes };
}

const busiest = "release-1";
const quiet = `release-${LINKS}`;
const cases = [
  ["overall dashboard, 7 days", "/admin/stats?days=7"],
  ["overall dashboard, 28 days", "/admin/stats?days=28"],
  ["overall dashboard, 90 days", "/admin/stats?days=90"],
  ["per-link dashboard (busiest link), 90 days", `/admin/stats/link/${busiest}?days=90`],
  ["per-link dashboard (quietest link), 90 days", `/admin/stats/link/${quiet}?days=90`],
  ["GET /api/stats?days=90", "/api/stats?days=90"],
  ["GET /api/stats?days=90&tz=America/New_York", "/api/stats?days=90&tz=America/New_York"],
  ["GET /api/links/{busiest}/stats?days=90", `/api/links/${busiest}/stats?days=90`],
  ["GET /api/links/{busiest}/stats?days=7", `/api/links/${busiest}/stats?days=7`],
] as const;

let worst = 0;
console.log(`\n| request | median of ${RUNS} (ms) | status |`);
console.log("|---|---:|---:|");
for (const [name, path] of cases) {
  const r = await time(path);
  worst = Math.max(worst, r.median);
  console.log(`| ${name} | ${r.median.toFixed(1)} | ${r.status} |`);
  if (r.status !== 200) console.error(`  ${path} answered ${r.status}`);
}
console.log(`\nslowest: ${worst.toFixed(1)} ms (target < ${TARGET_MS} ms) — ${worst < TARGET_MS ? "PASS" : "FAIL"}`);

await outro.close();
db.close();
if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true });
else console.log(`data kept in ${dir}`);
process.exit(worst < TARGET_MS ? 0 : 1);
