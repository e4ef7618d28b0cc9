import type { Database } from "bun:sqlite";

type Range = { linkId: number; fromHour: number; toHour: number };

/** The instance as a whole in rollup_dims. */
export const INSTANCE = 0;

/** Reads only rollup tables (rollup_hourly kept on write, rollup_dims by the job), never raw rows. */
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
  const perHour = db.query<{ hour: number; metric: string; n: number }, Range>(
    `SELECT hour, metric, SUM(humans) AS n FROM rollup_hourly
     WHERE link_id = $linkId AND hour >= $fromHour AND hour < $toHour GROUP BY hour, metric`);
  // Each dimension is one seek and one range of rows (the key starts with link, dim, hour).
  const dimension = db.query<{ metric: string; value: string; n: number }, Range & { dim: string }>(
    `SELECT metric, value, SUM(n) AS n FROM rollup_dims
     WHERE link_id = $linkId AND dim = $dim AND hour >= $fromHour AND hour < $toHour GROUP BY metric, value`);
  const dimensionPerHour = db.query<{ hour: number; metric: string; n: number }, Range & { dim: string }>(
    `SELECT hour, metric, SUM(n) AS n FROM rollup_dims
     WHERE link_id = $linkId AND dim = $dim AND hour >= $fromHour AND hour < $toHour GROUP BY hour, metric`);
  const dimensionDaily = db.query<{ metric: string; value: string; n: number }, { linkId: number; dim: string; fromDay: number; toDay: number }>(
    `SELECT metric, value, SUM(n) AS n FROM rollup_dims_daily
     WHERE link_id = $linkId AND dim = $dim AND day >= $fromDay AND day <= $toDay GROUP BY metric, value`);
  const dimensionPerDay = db.query<{ day: number; metric: string; n: number }, { linkId: number; dim: string; fromDay: number; toDay: number }>(
    `SELECT day, metric, SUM(n) AS n FROM rollup_dims_daily
     WHERE link_id = $linkId AND dim = $dim AND day >= $fromDay AND day <= $toDay GROUP BY day, metric`);
  const zone = db.query<{ zone: string }, []>("SELECT zone FROM rollup_zone WHERE id = 1");
  const linkIds = db.query<{ id: number; slug: string }, []>("SELECT id, slug FROM links");
  return {
    totals: (r: Range) => totals.all(r),
    perDestination: (r: Range) => perDestination.all(r),
    perDay: (r: Range) => perDay.all(r),
    perHour: (r: Range) => perHour.all(r),
    dimension: (r: Range, dim: string) => dimension.all({ ...r, dim }),
    dimensionPerHour: (r: Range, dim: string) => dimensionPerHour.all({ ...r, dim }),
    /** The same from the daily tier: days (since 1970) of the zone in rollup_zone, both ends included. */
    dimensionDaily: (linkId: number, dim: string, fromDay: number, toDay: number) => dimensionDaily.all({ linkId, dim, fromDay, toDay }),
    dimensionPerDay: (linkId: number, dim: string, fromDay: number, toDay: number) => dimensionPerDay.all({ linkId, dim, fromDay, toDay }),
    dailyZone: () => zone.get()?.zone ?? "UTC",
    slugs: () => new Map(linkIds.all().map((l) => [l.id, l.slug])),
  };
}
export type StatsRepo = ReturnType<typeof statsRepo>;
