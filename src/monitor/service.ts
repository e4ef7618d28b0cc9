import type { Database } from "bun:sqlite";
import type { LinkService } from "../links/service";
import type { Link } from "../links/model";
import { tourCutoff } from "../links/page-props";
import { isUpcoming } from "../release/schedule";
import type { SettingsService } from "../settings/service";
import { log } from "../log";
import { checkUrl } from "./check-url";
import { rateLimiter } from "./rate-limit";
import { monitorRepo, type HealthRow, type MonitorRun } from "./repo";
import { nextHealth } from "./verdict";
import { linkHealth, type LinkHealth } from "./model";

const HOUR = 3_600_000;
/** A fresh install's first run waits a while after start, so startup stays light. */
export const FIRST_RUN_DELAY_MS = 10 * 60_000;

/** The URLs of one link the monitor looks at: destinations, their country URLs, pre-saves, tickets of shows still listed. */
export function urlsOf(link: Link, now: number): string[] {
  const today = tourCutoff(now);
  return [
    ...link.destinations.flatMap((d) => [d.url, ...Object.values(d.countryUrls ?? {})]),
    ...(isUpcoming(link, now) ? link.presaves.map((d) => d.url) : []),
    ...(link.tourDates ?? []).flatMap((t) => (t.ticketUrl && t.date >= today ? [t.ticketUrl] : [])),
  ];
}

export interface MonitorOptions {
  db: Database;
  links: LinkService;
  settings: SettingsService;
  /** The app's clock: decides when a run is due and stamps every check. */
  clock: () => number;
  /** Hours between full runs; 0 = only "check now". */
  intervalHours: number;
  timeoutMs: number;
  hostGapMs: number;
  userAgent: string;
  /** Pause between any two request starts (default 250 ms). */
  paceMs?: number;
  /** Requests in flight at once across hosts (default 4). */
  maxParallel?: number;
  /** How often (real time) the scheduler looks whether a run is due (default a minute). */
  pollMs?: number;
}

export interface MonitorStatus {
  lastRun: MonitorRun | null;
  /** When the next scheduled run is due; null when scheduled runs are off. */
  nextRunAt: number | null;
  running: boolean;
}

/**
 * The dead-link monitor: checks every destination URL once per interval (a day by default),
 * keeps each one's health, and tells the pages which URLs to hide when the instance hides broken
 * destinations. Checks run on timers and admin requests' background tasks, never on a page view.
 */
export function linkMonitor(o: MonitorOptions) {
  const repo = monitorRepo(o.db);
  const stopping = new AbortController();
  const limiter = rateLimiter({ hostGapMs: o.hostGapMs, paceMs: o.paceMs ?? 250, maxParallel: o.maxParallel ?? 4, signal: stopping.signal });
  const every = o.intervalHours * HOUR;
  const startedAt = o.clock();
  const broken = new Set(repo.allHealth().filter((h) => h.verdict === "broken").map((h) => h.url));
  const NONE: ReadonlySet<string> = new Set();
  let run: Promise<MonitorRun | null> | null = null;
  const tasks = new Set<Promise<unknown>>();
  let timer: ReturnType<typeof setInterval> | null = null;

  const track = <T>(p: Promise<T>): Promise<T> => {
    tasks.add(p);
    void p.finally(() => tasks.delete(p)).catch(() => {});
    return p;
  };

  /** Checks one URL and stores what it means; a flip of "broken" redraws the pages. */
  const checkOne = async (url: string): Promise<void> => {
    const outcome = await checkUrl(url, { limiter, timeoutMs: o.timeoutMs, userAgent: o.userAgent, signal: stopping.signal });
    // A check cut short by shutdown says nothing about the destination.
    if (stopping.signal.aborted) return;
    const next = nextHealth(repo.health(url), outcome, o.clock());
    repo.saveHealth({ url, ...next });
    const isBroken = next.verdict === "broken";
    if (isBroken !== broken.has(url)) {
      if (isBroken) broken.add(url);
      else broken.delete(url);
      log.info({ url, verdict: next.verdict, answer: next.answer }, isBroken ? "destination broken" : "destination works again");
      o.links.touch();
    }
  };

  /** A full run, or the rest of one a restart interrupted. */
  const runAll = async (trigger: MonitorRun["trigger"], resume?: MonitorRun): Promise<MonitorRun> => {
    const id = resume?.id ?? repo.startRun(o.clock(), trigger);
    const since = resume?.startedAt ?? o.clock();
    const now = o.clock();
    const today = tourCutoff(now);
    repo.pruneHealth(now, today);
    for (const url of [...broken]) if (!repo.health(url)) broken.delete(url);
    const seen = new Map(repo.allHealth().map((h) => [h.url, h.checkedAt]));
    const urls = repo.monitoredUrls(now, today).filter((u) => !resume || (seen.get(u) ?? -Infinity) < since);
    await Promise.all(urls.map((u) => checkOne(u).catch((err) => log.error({ err, url: u }, "link check failed"))));
    if (!stopping.signal.aborted) {
      const checked = repo.allHealth().filter((h) => h.checkedAt >= since).length;
      repo.countRun(id, checked, broken.size);
      repo.finishRun(id, o.clock());
      log.info({ checked, broken: broken.size }, "link check run finished");
    }
    return repo.lastRun()!;
  };

  /** Starts a full run unless one is going; answers the run in progress either way (the last run once stopped). */
  const checkAll = (trigger: MonitorRun["trigger"], resume?: MonitorRun): Promise<MonitorRun | null> => {
    if (stopping.signal.aborted) return Promise.resolve(repo.lastRun() ?? null);
    run ??= track(runAll(trigger, resume)).finally(() => { run = null; });
    return run;
  };

  const nextRunAt = (): number | null => {
    if (every <= 0) return null;
    const last = repo.lastRun();
    return last ? last.startedAt + every : startedAt + Math.min(FIRST_RUN_DELAY_MS, every);
  };

  /** The scheduler's look at the clock: resumes an interrupted run, or starts one that is due. */
  const tick = (): Promise<MonitorRun | null> | null => {
    if (run || stopping.signal.aborted || every <= 0) return run;
    const last = repo.lastRun();
    if (last && last.finishedAt === null) return checkAll(last.trigger, last);
    const due = nextRunAt();
    return due !== null && o.clock() >= due ? checkAll("schedule") : null;
  };

  const healthByUrl = (): Map<string, HealthRow> => new Map(repo.allHealth().map((h) => [h.url, h]));
  const hiddenUrls = (): ReadonlySet<string> => (o.settings.get().hideBrokenDestinations ? broken : NONE);
  const status = (): MonitorStatus => ({ lastRun: repo.lastRun() ?? null, nextRunAt: nextRunAt(), running: run !== null });

  return {
    /** Starts the scheduler's timer (unref'd: it never keeps the process alive). */
    start() {
      if (every <= 0 || timer) return;
      timer = setInterval(() => void tick(), o.pollMs ?? 60_000);
      timer.unref?.();
    },
    tick,
    checkAll,
    /** Checks one link's destinations now (in the background for the caller). */
    checkLink: (link: Link): Promise<void> => track(Promise.all([...new Set(urlsOf(link, o.clock()))].map(checkOne)).then(() => {})),
    /** Every stored health row by URL (for the admin and the API). */
    healthByUrl,
    /** URLs the pages leave out: the broken ones while the instance hides them, else none. */
    hiddenUrls,
    /** How many URLs in use are broken now (one a link dropped since the last run no longer counts). */
    brokenCount: () => (broken.size ? repo.monitoredUrls(o.clock(), tourCutoff(o.clock())).filter((u) => broken.has(u)).length : 0),
    status,
    /** A link's destinations with their health, as the API answers it. */
    forLink: (link: Link): LinkHealth => linkHealth(link, healthByUrl(), hiddenUrls(), o.settings.get().hideBrokenDestinations, status(), o.clock()),
    /** Stops the timer, cuts checks in flight short and waits for them to end (nothing is stored for those). */
    async stop() {
      if (timer) clearInterval(timer);
      stopping.abort();
      await Promise.allSettled([...tasks]);
    },
  };
}
export type LinkMonitor = ReturnType<typeof linkMonitor>;
