import { afterAll, afterEach, beforeAll, describe, expect, it } from "bun:test";
import { startApp, eventually, tempDir, type TestApp } from "./helpers";
import { MONITOR_ENV, startFakeDestinations, type FakeDestinations } from "./fake-destinations";

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
