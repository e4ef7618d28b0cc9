import type { Database } from "bun:sqlite";
import type { Link } from "../links/model";
import { invalid } from "../errors";
import { storedSetting } from "../settings/service";
import { INSTANCE, statsRepo } from "./repo";
import { dayStartHour, hourDays, isTimeZone, localDay, nextDay } from "./time-zone";

const DAY_MS = 86_400_000;
export const MAX_RANGE_DAYS = 400;

/** Dimensions in the JSON and the dashboard, in their order, with the rollup dim each reads. */
export const DIMENSION_TABLES = [
  { id: "utmSource", dim: "utm_source", title: "UTM source", none: "(none)" },
  { id: "utmMedium", dim: "utm_medium", title: "UTM medium", none: "(none)" },
  { id: "utmCampaign", dim: "utm_campaign", title: "UTM campaign", none: "(none)" },
  { id: "referrers", dim: "referrer", title: "Referrer", none: "(direct)" },
  { id: "apps", dim: "app", title: "In-app browser", none: "(plain browser)" },
  { id: "countries", dim: "country", title: "Country", none: "(unknown)" },
  { id: "devices", dim: "device", title: "Device", none: "(unknown)" },
  { id: "os", dim: "os", title: "Operating system", none: "(unknown)" },
] as const;
export type DimensionId = (typeof DIMENSION_TABLES)[number]["id"];

export interface RangeQuery {
  days?: number;
  from?: string;
  to?: string;
  tz?: string;
}

const badRange = (field: string, message: string) => invalid("The range is not valid", { [field]: message });

export interface Range {
  from: string;
  to: string;
  timeZone: string;
  fromHour: number;
  toHour: number;
  /** Every local day of the range, in order. */
  dates: string[];
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const validDate = (d: string) => {
  const t = DATE.test(d) ? Date.parse(`${d}T00:00:00Z`) : NaN;
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === d;
};

/**
 * The hour buckets of a range of local days: `days` ending today, or `from`..`to` inclusive.
 * Rollups are hourly: exact in whole-hour zones; in half-hour zones each edge is rounded down to
 * the whole UTC hour (a day then starts up to 45 minutes early).
 */
export function resolveRange(q: RangeQuery, now: number, instanceZone: string): Range {
  const timeZone = q.tz ?? instanceZone;
  if (!isTimeZone(timeZone)) throw badRange("tz", "must be an IANA time zone such as Europe/Berlin");
  let from: string;
  let to: string;
  if (q.from !== undefined || q.to !== undefined) {
    if (q.from === undefined || !validDate(q.from)) throw badRange("from", "must be a date YYYY-MM-DD");
    to = q.to ?? localDay(now, timeZone);
    if (!validDate(to)) throw badRange("to", "must be a date YYYY-MM-DD");
    from = q.from;
    if (from > to) throw badRange("from", "must not be after to");
  } else {
    const days = q.days ?? 28;
    to = localDay(now, timeZone);
    from = nextDay(to, -(days - 1));
  }
  const span = Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS) + 1;
  if (span > MAX_RANGE_DAYS) throw badRange("from", `a range is at most ${MAX_RANGE_DAYS} days`);
  const dates = Array.from({ length: span }, (_, i) => nextDay(from, i));
  return { from, to, timeZone, fromHour: dayStartHour(from, timeZone), toHour: dayStartHour(nextDay(to), timeZone), dates };
}

const ctr = (clicks: number, views: number) => (views > 0 ? Math.round((clicks / views) * 10_000) / 10_000 : 0);

export interface DimensionRow {
  value: string | null;
  views: number;
  clicks: number;
  ctr: number;
}
export interface DayRow {
  date: string;
  views: number;
  clicks: number;
  ctr: number;
  visitors: number;
}

/** Folds metric/value rows into one row per value: views, click-outs, CTR; most traffic first. */
function table(rows: { metric: string; value: string; n: number }[]): DimensionRow[] {
  const by = new Map<string, DimensionRow>();
  for (const r of rows) {
    let row = by.get(r.value);
    if (!row) by.set(r.value, (row = { value: r.value === "" ? null : r.value, views: 0, clicks: 0, ctr: 0 }));
    if (r.metric === "view") row.views += r.n;
    else if (r.metric === "click") row.clicks += r.n;
  }
  const out = [...by.values()];
  for (const r of out) r.ctr = ctr(r.clicks, r.views);
  return out.sort((a, b) => b.views + b.clicks - (a.views + a.clicks) || String(a.value).localeCompare(String(b.value)));
}

/**
 * Stats read models. Every figure comes from rollups: per link, views, click-outs, destinations
 * and days from rollup_hourly (kept on write); visitors and the dimensions from rollup_dims (the
 * job's); the instance entirely from rollup_dims' link 0. Only fans count; bots, link previews,
 * HEAD requests and prefetches are reported apart.
 */
export function statsService(db: Database, clock: () => number = Date.now) {
  const repo = statsRepo(db);
  const zone = () => storedSetting(db, "timeZone");

  const dimensions = (linkId: number, range: Range) => {
    const r = { linkId, fromHour: range.fromHour, toHour: range.toHour };
    const out = {} as Record<DimensionId, DimensionRow[]>;
    for (const t of DIMENSION_TABLES) out[t.id] = table(repo.dimension(r, t.dim));
    const services = table(repo.dimension(r, "service")).map((s) => ({ service: s.value, clicks: s.clicks }));
    const excludedByKind: Record<string, { views: number; clicks: number }> = {};
    for (const row of table(repo.dimension(r, "excluded"))) excludedByKind[row.value ?? "other"] = { views: row.views, clicks: row.clicks };
    return { dimensions: out, services, excludedByKind };
  };

  /** Per local day of the range: hourly rows folded into the days of the range's zone. */
  const daysOf = (range: Range, hours: { hour: number; metric: string; n: number }[], visitorHours: { hour: number; n: number }[]): DayRow[] => {
    const dayOf = hourDays(range.timeZone);
    const by = new Map(range.dates.map((d) => [d, { date: d, views: 0, clicks: 0, ctr: 0, visitors: 0 }]));
    for (const h of hours) {
      const d = by.get(dayOf(h.hour));
      if (!d) continue;
      if (h.metric === "view") d.views += h.n;
      else if (h.metric === "click") d.clicks += h.n;
    }
    for (const h of visitorHours) {
      const d = by.get(dayOf(h.hour));
      if (d) d.visitors += h.n;
    }
    const days = [...by.values()];
    for (const d of days) d.ctr = ctr(d.clicks, d.views);
    return days;
  };

  const visitorsPerHour = (linkId: number, range: Range) =>
    repo.dimensionPerHour({ linkId, fromHour: range.fromHour, toHour: range.toHour }, "").filter((h) => h.metric === "visitor");

  return {
    timeZone: zone,
    range: (q: RangeQuery) => resolveRange(q, clock(), zone()),

    /** One link: views, unique visitors, click-outs, CTR, per destination, service, day and dimension. */
    link(link: Link, range: Range, opts: { breakdown?: boolean } = {}) {
      const breakdown = opts.breakdown ?? true;
      const r = { linkId: link.id, fromHour: range.fromHour, toHour: range.toHour };
      const totals = Object.fromEntries(repo.totals(r).map((t) => [t.metric, t]));
      const views = totals.view?.humans ?? 0;
      const clicks = totals.click?.humans ?? 0;
      const byKey = new Map(repo.perDestination(r).map((d) => [d.key, d]));
      const keys = [...link.destinations.map((d) => d.key), ...[...byKey.keys()].filter((k) => !link.destinations.some((d) => d.key === k))];
      const visitorHours = breakdown ? visitorsPerHour(link.id, range) : [];
      const days = daysOf(range, repo.perHour(r), visitorHours);
      return {
        slug: link.slug,
        from: range.from,
        to: range.to,
        timeZone: range.timeZone,
        views,
        visitors: days.reduce((s, d) => s + d.visitors, 0),
        clicks,
        ctr: ctr(clicks, views),
        // Bots, link previews, HEAD requests and prefetches, counted apart and never in the figures above.
        excluded: { views: totals.view?.others ?? 0, clicks: totals.click?.others ?? 0 },
        destinations: keys.map((key) => {
          const c = byKey.get(key)?.clicks ?? 0;
          const d = link.destinations.find((x) => x.key === key);
          return { key, service: d?.service ?? null, label: d?.label ?? null, clicks: c, ctr: ctr(c, views) };
        }),
        days,
        ...(breakdown ? dimensions(link.id, range) : {}),
      };
    },

    /** The whole instance over a range, with a per-link table. */
    instance(range: Range) {
      const r = { linkId: INSTANCE, fromHour: range.fromHour, toHour: range.toHour };
      // Every fan's row has exactly one device value, so the device rows are the totals.
      const days = daysOf(range, repo.dimensionPerHour(r, "device"), visitorsPerHour(INSTANCE, range));
      const views = days.reduce((s, d) => s + d.views, 0);
      const clicks = days.reduce((s, d) => s + d.clicks, 0);
      const slugs = repo.slugs();
      const dims = dimensions(INSTANCE, range);
      const excluded = { views: 0, clicks: 0 };
      for (const k of Object.values(dims.excludedByKind)) {
        excluded.views += k.views;
        excluded.clicks += k.clicks;
      }
      return {
        from: range.from,
        to: range.to,
        timeZone: range.timeZone,
        views,
        visitors: days.reduce((s, d) => s + d.visitors, 0),
        clicks,
        ctr: ctr(clicks, views),
        excluded,
        links: table(repo.dimension(r, "link")).map((l) => ({ slug: slugs.get(Number(l.value)) ?? null, linkId: Number(l.value), views: l.views, clicks: l.clicks, ctr: l.ctr })),
        days,
        ...dims,
      };
    },
  };
}
export type StatsService = ReturnType<typeof statsService>;

/**
 * The short form the admin's link list and the first API version use: views, click-outs, CTR,
 * per destination and per day over the last `days` days of the instance time zone. Passing a
 * range query instead of a number gives the full breakdown.
 */
export function linkStats(db: Database, clock: () => number = Date.now) {
  const service = statsService(db, clock);
  const stats = (link: Link, q: number | RangeQuery) => {
    const full = service.link(link, service.range(typeof q === "number" ? { days: q } : q), { breakdown: typeof q !== "number" });
    if (typeof q !== "number") return full;
    const { slug, from, to, views, clicks, ctr: rate, excluded, destinations, days } = full;
    return { slug, from, to, views, clicks, ctr: rate, excluded, destinations, days: days.map(({ date, views: v, clicks: c, ctr: r }) => ({ date, views: v, clicks: c, ctr: r })) };
  };
  return Object.assign(stats, { instance: (q: RangeQuery) => service.instance(service.range(q)), service });
}
