import type { Database } from "bun:sqlite";
import type { HealthState, Verdict } from "./verdict";

export interface HealthRow extends HealthState {
  url: string;
}

export interface MonitorRun {
  id: number;
  startedAt: number;
  finishedAt: number | null;
  trigger: "schedule" | "admin" | "api";
  checked: number;
  broken: number;
}

/** Bindings of the upsert (a type alias: bun:sqlite wants an index-signature-compatible record). */
type HealthParams = {
  url: string; verdict: Verdict; statusCode: number | null; answer: string; checkedAt: number; failures: number; brokenSince: number | null;
};

const HEALTH = `url, verdict, status_code AS statusCode, answer, checked_at AS checkedAt, failures, broken_since AS brokenSince`;
const RUN = `id, started_at AS startedAt, finished_at AS finishedAt, trigger, checked, broken`;

/** The monitor's SQL: destination health per URL, and its runs. */
export function monitorRepo(db: Database) {
  // Every URL a fan can be sent to from a page: each link's destinations (release and bio),
  // UNION drops duplicates: a URL two links share is checked once.
  // their per-country URLs, pre-save links of releases still to come, and the ticket URLs of shows
  // still listed ($today: tourCutoff). A pre-save page or a past show's ticket page going away
  // once its day has passed is no news, and is not checked.
  const IN_USE = `SELECT url FROM destinations
    UNION SELECT j.value FROM destinations, json_each(destinations.country_urls) AS j WHERE destinations.country_urls IS NOT NULL
    UNION SELECT ticket_url FROM tour_dates WHERE ticket_url IS NOT NULL AND date >= $today
    UNION SELECT p.url FROM presave_links AS p JOIN link_releases AS r ON r.link_id = p.link_id WHERE r.release_at > $now`;
  const urls = db.query<{ url: string }, { today: string; now: number }>(`SELECT url FROM (${IN_USE}) ORDER BY url`);
  const all = db.query<HealthRow & { verdict: Verdict }, []>(`SELECT ${HEALTH} FROM link_health`);
  const one = db.query<HealthRow, { url: string }>(`SELECT ${HEALTH} FROM link_health WHERE url = $url`);
  const save = db.query<null, HealthParams>(
    `INSERT INTO link_health (url, verdict, status_code, answer, checked_at, failures, broken_since)
     VALUES ($url, $verdict, $statusCode, $answer, $checkedAt, $failures, $brokenSince)
     ON CONFLICT (url) DO UPDATE SET verdict = excluded.verdict, status_code = excluded.status_code,
       answer = excluded.answer, checked_at = excluded.checked_at, failures = excluded.failures,
       broken_since = excluded.broken_since`);
  // A URL no link uses any more is forgotten, so a re-added URL starts from a fresh check.
  const prune = db.query<null, { today: string; now: number }>(`DELETE FROM link_health WHERE url NOT IN (${IN_USE})`);
  const lastRun = db.query<MonitorRun, []>(`SELECT ${RUN} FROM monitor_runs ORDER BY started_at DESC, id DESC LIMIT 1`);
  const startRun = db.query<{ id: number }, { now: number; trigger: string }>(
    "INSERT INTO monitor_runs (started_at, trigger) VALUES ($now, $trigger) RETURNING id");
  const counted = db.query<null, { id: number; checked: number; broken: number }>(
    "UPDATE monitor_runs SET checked = $checked, broken = $broken WHERE id = $id");
  const finishRun = db.query<null, { id: number; now: number }>("UPDATE monitor_runs SET finished_at = $now WHERE id = $id");
  // Old runs are only history; a few months of them are plenty.
  const pruneRuns = db.query<null, []>("DELETE FROM monitor_runs WHERE id NOT IN (SELECT id FROM monitor_runs ORDER BY started_at DESC, id DESC LIMIT 100)");

  return {
    /** `now` and `today` (tourCutoff(now)) decide which pre-saves and tickets still count. */
    monitoredUrls: (now: number, today: string) => urls.all({ now, today }).map((r) => r.url),
    allHealth: () => all.all(),
    health: (url: string) => one.get({ url }),
    saveHealth: (row: HealthRow) => save.run({
      url: row.url, verdict: row.verdict, statusCode: row.statusCode, answer: row.answer, checkedAt: row.checkedAt, failures: row.failures, brokenSince: row.brokenSince,
    }),
    pruneHealth: (now: number, today: string) => prune.run({ now, today }),
    lastRun: () => lastRun.get(),
    startRun: (now: number, trigger: MonitorRun["trigger"]) => startRun.get({ now, trigger })!.id,
    countRun: (id: number, checked: number, broken: number) => counted.run({ id, checked, broken }),
    finishRun: (id: number, now: number) => {
      finishRun.run({ id, now });
      pruneRuns.run();
    },
  };
}
export type MonitorRepo = ReturnType<typeof monitorRepo>;
