import type { Database } from "bun:sqlite";

type Range = { linkId: number; fromHour: number; toHour: number };

/** Reads only the hourly rollup, never the raw click and view rows. */
export function statsRepo(db: Database) {
  const totals = db.query<{ metric: string; humans: number; others: number }, Range>(
    `SELECT metric, SUM(humans) AS humans, SUM(others) AS others FROM rollup_hourly
     WHERE link_id = $linkId AND hour >= $fromHour AND hour < $toHour GROUP BY metric`);
  const perDestination = db.query<{ key: string; clicks: number; others: number }, Range>(
    `SELECT dest_key AS key, SUM(humans) AS clicks, SUM(others) AS others FROM rollup_hourly
     WHERE link_id = $linkId AND hour >= $fromHour AND hour < $toHour AND metric = 'click' GROUP BY dest_key`);
  const perDay = db.query<{ day: number; metric: string; humans: number }, Range>(
    `SELECT hour / 24 AS day, metric, SUM(humans) AS humans FROM rollup_hourly
     WHERE link_id = $linkId AND hour >= $fromHour AND hour < $toHour GROUP BY day, metric`);
  return {
    totals: (r: Range) => totals.all(r),
    perDestination: (r: Range) => perDestination.all(r),
    perDay: (r: Range) => perDay.all(r),
  };
}
