import { describe, expect, it } from "bun:test";
import { Database } from "bun:sqlite";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BUN, HUMAN_UA, ROOT, TOKEN, eventually, release, startApp, tempDir } from "./helpers";
import { spawnServer } from "./process";
import { BackupError, backupTo, checkBackup, restoreFrom } from "../src/ops/backup";
import { listBackups, scheduleBackups } from "../src/ops/scheduled-backups";
import { loadConfig } from "../src/config";
import { openDatabase } from "../src/db/open";
import { createApp } from "../src/app";

/** `outro <args>` from source, with a DATA_DIR; stdout and stderr as trimmed text. */
function outro(args: string[], dataDir: string) {
  const run = Bun.spawnSync([BUN, "src/index.ts", ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? "", DATA_DIR: dataDir } });
  return { code: run.exitCode, out: run.stdout.toString().trim(), err: run.stderr.toString().trim() };
}

/** Every row of every table, in a stable order: two databases with equal dumps hold the same data. */
function dump(file: string): Record<string, unknown[]> {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db.query<{ name: string }, []>("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all();
    return Object.fromEntries(tables.map(({ name }) => {
      const rows = db.query(`SELECT * FROM "${name}"`).all();
      return [name, rows.map((r) => JSON.stringify(r)).sort()];
    }));
  } finally {
    db.close();
  }
}

const click = (base: string, slug: string, key: string, eid: string) =>
  fetch(`${base}/${slug}/go/${key}?eid=${eid}`, { redirect: "manual", headers: { "user-agent": HUMAN_UA } });

describe("outro backup", () => {
  it("takes a consistent snapshot from the command line while a server serves and takes clicks", async () => {
    const dataDir = tempDir();
    const child = await spawnServer({ DATA_DIR: dataDir, API_TOKEN: TOKEN });
    try {
      const created = await fetch(`${child.base}/api/links`, {
        method: "POST", headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, body: JSON.stringify(release()),
      });
      expect(created.status).toBe(201);
      let n = 0;
      let stop = false;
      let answered = 0;
      const clients = Array.from({ length: 16 }, async () => {
        while (!stop) {
          const res = await click(child.base, "night-drive", "spotify", `live-backup-${String(n++).padStart(6, "0")}`);
          if (res.status === 302) answered++;
        }
      });
      while (answered < 300) await Bun.sleep(5);

      const file = join(tempDir("outro-backups-"), "snapshot.db");
      const run = outro(["backup", file], dataDir);
      const answeredBefore = answered;
      stop = true;
      await Promise.all(clients);

      expect(run).toMatchObject({ code: 0, err: "" });
      expect(run.out.split("\n")).toHaveLength(1);
      expect(run.out).toMatch(/^outro: backup written to .*snapshot\.db \(\d+ KB\)$/);
      expect(checkBackup(file).links).toBe(1);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      // A consistent snapshot: the rollup agrees with the raw rows it was taken with.
      const db = new Database(file, { readonly: true });
      const clicks = db.query<{ n: number }, []>("SELECT COUNT(*) AS n FROM clicks").get()!.n;
      const rolled = db.query<{ n: number }, []>("SELECT SUM(humans + others) AS n FROM rollup_hourly WHERE metric = 'click'").get()!.n;
      db.close();
      expect(clicks).toBeGreaterThanOrEqual(answeredBefore);
      expect(rolled).toBe(clicks);

      // Never overwrites; refuses a restore while the server has the database open.
      const again = outro(["backup", file], dataDir);
      expect(again.code).toBe(1);
      expect(again.err).toBe(`outro: ${file} already exists; choose a new file name`);
      const restore = outro(["restore", file], dataDir);
      expect(restore.code).toBe(1);
      expect(restore.err).toStartWith("outro: the database is in use: stop Outro first");
      expect((await fetch(`${child.base}/healthz`)).status).toBe(200);
    } finally {
      child.proc.kill("SIGTERM");
    }
    expect(await child.proc.exited).toBe(0);
  }, 60_000);

  it("restores links, clicks, page views, fans and CAPI events exactly after the data folder is wiped", async () => {
    const dataDir = tempDir("outro-restore-");
    const config = loadConfig({ DATA_DIR: dataDir, API_TOKEN: TOKEN, PORT: "0", META_PIXEL_ID: "1234567890", META_ACCESS_TOKEN: "EAAB-test", META_GRAPH_URL: "http://127.0.0.1:9" });
    const db = openDatabase(dataDir);
    const outroApp = createApp({ config, db });
    const server = outroApp.app.listen({ port: 0, hostname: "127.0.0.1" });
    const base = `http://127.0.0.1:${server.server!.port}`;
    const api = (method: string, path: string, body?: unknown) =>
      fetch(base + path, { method, headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
    expect((await api("POST", "/api/links", release("night-drive"))).status).toBe(201);
    expect((await api("POST", "/api/links", release("b-side", { title: "B-Side" }))).status).toBe(201);
    for (let i = 0; i < 20; i++) {
      expect((await fetch(`${base}/night-drive?utm_source=ig&n=${i}`, { headers: { "user-agent": HUMAN_UA } })).status).toBe(200);
      expect((await click(base, i % 2 ? "night-drive" : "b-side", i % 3 ? "spotify" : "apple-music", `restore-test-${String(i).padStart(4, "0")}`)).status).toBe(302);
    }
    await fetch(`${base}/night-drive`, { headers: { "user-agent": "Googlebot/2.1 (+http://www.google.com/bot.html)" } });
    // A fan signs up through the page's form (rendered 3 s ago: the spam guard wants 2 s at least).
    db.run("INSERT INTO link_options (link_id, email_signup) VALUES ((SELECT id FROM links WHERE slug = 'night-drive'), 1)");
    outroApp.links.touch();
    const signup = await fetch(`${base}/night-drive/subscribe`, {
      method: "POST",
      headers: { "user-agent": HUMAN_UA, accept: "application/json", "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ email: "Fan@Example.com", name: "Fan", consent: "on", website: "", t: outroApp.fans.formToken(Date.now() - 3000) }),
    });
    expect(signup.status).toBe(200);
    // The rollup folds new rows every 50 ms: read the stats once it has caught up.
    const folded = (t: string) => db.query<{ n: number }, []>(`SELECT (SELECT last_id FROM rollup_progress WHERE source = '${t}') = (SELECT MAX(id) FROM ${t}) AS n`).get()!.n;
    while (!folded("clicks") || !folded("page_views")) await Bun.sleep(10);
    const stats = await (await api("GET", "/api/links/night-drive/stats")).json();
    const link = await (await api("GET", "/api/links/b-side")).json();
    await server.stop(true);
    await outroApp.close();
    db.close();

    const before = dump(join(dataDir, "outro.db"));
    expect(before.links).toHaveLength(2);
    expect(before.clicks).toHaveLength(20);
    expect(before.page_views).toHaveLength(21);
    expect(before.capi_events!.length).toBeGreaterThanOrEqual(40);
    expect(before.fans).toHaveLength(1);
    expect(before.fan_signups).toHaveLength(1);
    const file = join(tempDir("outro-backups-"), "outro.db");
    expect((await backupTo(dataDir, file)).bytes).toBeGreaterThan(0);

    rmSync(dataDir, { recursive: true, force: true });
    const run = outro(["restore", file], dataDir);
    expect(run).toMatchObject({ code: 0, err: "" });
    expect(run.out).toBe(`outro: restored 2 links into ${join(dataDir, "outro.db")}`);
    expect(dump(join(dataDir, "outro.db"))).toEqual(before);

    // The restored folder serves the same links and numbers.
    const child = await spawnServer({ DATA_DIR: dataDir, API_TOKEN: TOKEN });
    try {
      const get = (path: string) => fetch(child.base + path, { headers: { authorization: `Bearer ${TOKEN}` } }).then((r) => r.json());
      expect(await get("/api/links/b-side")).toEqual(link);
      expect(await get("/api/links/night-drive/stats")).toEqual(stats);
    } finally {
      child.proc.kill("SIGTERM");
    }
    expect(await child.proc.exited).toBe(0);

    // Restoring over an existing (stopped) database keeps the replaced one beside it.
    const second = outro(["restore", file], dataDir);
    expect(second.code).toBe(0);
    expect(second.out).toMatch(/; the replaced database is kept as .*outro\.db\.before-restore-/);
    expect(readdirSync(dataDir).filter((f) => f.startsWith("outro.db.before-restore-"))).toHaveLength(1);
    expect(readdirSync(dataDir).filter((f) => /-wal$|-shm$|restoring/.test(f))).toEqual([]);
  }, 60_000);

  it("refuses to restore a file that is not an Outro database, and says why in one line", () => {
    const dir = tempDir();
    const dataDir = join(dir, "data");
    const junk = join(dir, "junk.db");
    writeFileSync(junk, "not a database at all, just text ".repeat(100));
    const other = join(dir, "other.db");
    const o = new Database(other, { create: true });
    o.exec("CREATE TABLE notes (x)");
    o.close();
    for (const [file, reason] of [[junk, "it is not an SQLite database"], [other, "it has no links, destinations"], [join(dir, "missing.db"), "is not a file"]] as const) {
      const run = outro(["restore", file], dataDir);
      expect(run.code).toBe(1);
      expect(run.err.split("\n")).toHaveLength(1);
      expect(run.err).toContain(reason);
      expect(existsSync(join(dataDir, "outro.db"))).toBe(false);
    }
    expect(() => checkBackup(junk)).toThrow(BackupError);
    expect(() => restoreFrom(dataDir, other)).toThrow(/not a valid Outro database/);
  });

  it("answers usage and missing-database mistakes with exit 1 and one line", () => {
    const dataDir = tempDir();
    expect(outro(["backup"], dataDir)).toMatchObject({ code: 1, err: "outro: usage: outro backup <file>" });
    const run = outro(["backup", join(dataDir, "b.db")], dataDir);
    expect(run.code).toBe(1);
    expect(run.err).toBe(`outro: no database at ${join(dataDir, "outro.db")} (is DATA_DIR right?)`);
    const badEnv = Bun.spawnSync([BUN, "src/index.ts", "backup", "x.db"], { cwd: ROOT, env: { PATH: process.env.PATH ?? "", DATA_DIR: dataDir, BACKUP_KEEP: "none" } });
    expect(badEnv.exitCode).toBe(1);
    expect(badEnv.stderr.toString().trim()).toStartWith("outro: BACKUP_KEEP: ");
  });
});

describe("scheduled backups", () => {
  it("backs up into DATA_DIR/backups on schedule and keeps only the newest BACKUP_KEEP", async () => {
    const app = await startApp({ BACKUP_INTERVAL_HOURS: String(0.3 / 3600), BACKUP_KEEP: "2" });
    try {
      await app.createLink(release());
      // One every 0.3 s; after the third, retention leaves two.
      const seen = new Set<string>();
      await eventually(() => {
        for (const f of listBackups(app.dataDir)) seen.add(f);
        expect(seen.size).toBeGreaterThanOrEqual(3);
      }, 10_000);
      await eventually(() => expect(listBackups(app.dataDir)).toHaveLength(2), 3000);
      const newest = listBackups(app.dataDir).at(-1)!;
      expect(newest).toMatch(/^outro-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z\.db$/);
      expect(checkBackup(join(app.dataDir, "backups", newest)).links).toBe(1);
      // /metrics tells when the newest one was written, for an alert when backups stop.
      const metrics = await (await app.req("/metrics", { headers: { authorization: `Bearer ${TOKEN}` } })).text();
      const last = Number(/^outro_backup_last_success_timestamp_seconds (\d+)$/m.exec(metrics)?.[1]);
      expect(Math.abs(last - Date.now() / 1000)).toBeLessThan(30);
      expect(metrics).toMatch(/^outro_backup_failures_total 0$/m);
    } finally {
      await app.close();
    }
  }, 20_000);

  it("is off by default and waits an interval after the newest backup on disk", async () => {
    const dataDir = tempDir();
    openDatabase(dataDir).close();
    const off = scheduleBackups({ dataDir, intervalHours: 0, keep: 7 });
    await Bun.sleep(50);
    expect(listBackups(dataDir)).toEqual([]);
    await off.stop();

    // A backup made "just now" postpones the next one by a whole interval.
    const now = Date.now();
    mkdirSync(join(dataDir, "backups"));
    const recent = scheduleBackups({ dataDir, intervalHours: 1, keep: 7, clock: () => now });
    const first = await recent.runNow();
    expect(first).not.toBeNull();
    await Bun.sleep(100);
    expect(listBackups(dataDir)).toHaveLength(1);
    await recent.stop();
  });

  it("rejects bad BACKUP_INTERVAL_HOURS, BACKUP_KEEP and LOG_LEVEL values, naming the variable", () => {
    for (const [name, value] of [["BACKUP_INTERVAL_HOURS", "daily"], ["BACKUP_INTERVAL_HOURS", "-1"], ["BACKUP_INTERVAL_HOURS", "9000"], ["BACKUP_KEEP", "0"], ["BACKUP_KEEP", "1.5"], ["LOG_LEVEL", "loud"]]) {
      expect(() => loadConfig({ DATA_DIR: tempDir(), [name!]: value })).toThrow(new RegExp(`^${name}: `));
    }
    expect(loadConfig({ DATA_DIR: tempDir() })).toMatchObject({ backupIntervalHours: 0, backupKeep: 7, logLevel: "info" });
    expect(loadConfig({ DATA_DIR: tempDir(), BACKUP_INTERVAL_HOURS: "24", BACKUP_KEEP: "14" })).toMatchObject({ backupIntervalHours: 24, backupKeep: 14 });
  });
});

describe("backup download in the admin", () => {
  it("downloads a consistent snapshot that opens as an Outro database, only when signed in", async () => {
    const { AdminClient, ADMIN_PASSWORD } = await import("./admin-client");
    const t = await startApp({ ADMIN_PASSWORD });
    try {
      await t.createLink(release());
      await t.req("/night-drive/go/spotify", { headers: { "user-agent": "Mozilla/5.0 (iPhone) Mobile Safari" } });
      const admin = new AdminClient(t);
      expect((await admin.get("/admin/backup.db")).status).toBe(303);
      await admin.signIn();
      expect(await admin.page("/admin/settings")).toContain('href="/admin/backup.db"');
      const res = await admin.get("/admin/backup.db");
      expect(res.status).toBe(200);
      expect(res.headers.get("content-disposition")).toMatch(/attachment; filename="outro-download-.*\.db"/);
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect(new TextDecoder().decode(bytes.slice(0, 15))).toBe("SQLite format 3");
      const file = `${t.dataDir}/downloaded.db`;
      await Bun.write(file, bytes);
      const copy = new Database(file, { readonly: true });
      expect(copy.query<{ slug: string }, []>("SELECT slug FROM links").all()).toEqual([{ slug: "night-drive" }]);
      expect(copy.query<{ n: number }, []>("SELECT COUNT(*) AS n FROM clicks").get()!.n).toBe(1);
      copy.close();
    } finally {
      await t.close();
    }
  });
});
