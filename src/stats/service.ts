import type { Database } from "bun:sqlite";
import type { Link } from "../links/model";
import { invalid } from "../errors";
import { storedSetting } from "../settings/service";
import { INSTANCE, statsRepo } from "./repo";
import { dayStartHour, hourDays, isTimeZone, localDay, nextDay } from "./time-zone";

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
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
  const dayNumber = (date: string) => Date.parse(date) / DAY_MS;
  const dateOf = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

  /**
   * How to read a range: whole days of the daily tier (days of the zone it is kept in) and the
   * hours at either edge that fall outside those days, from the hourly tier. In the instance's
   * own zone that is days only; another zone adds at most a day of hours at each end.
   */
  const planOf = (range: Range) => {
    const tier = repo.dailyZone();
    if (tier === range.timeZone) return { days: [dayNumber(range.from), dayNumber(range.to)] as [number, number], hours: [] as [number, number][] };
    let first = localDay(range.fromHour * HOUR_MS, tier);
    if (dayStartHour(first, tier) < range.fromHour) first = nextDay(first);
    let last = localDay(range.toHour * HOUR_MS - 1, tier);
    if (dayStartHour(nextDay(last), tier) > range.toHour) last = nextDay(last, -1);
    if (first > last) return { days: null, hours: [[range.fromHour, range.toHour]] as [number, number][] };
    const hours: [number, number][] = [];
    if (range.fromHour < dayStartHour(first, tier)) hours.push([range.fromHour, dayStartHour(first, tier)]);
    if (dayStartHour(nextDay(last), tier) < range.toHour) hours.push([dayStartHour(nextDay(last), tier), range.toHour]);
    return { days: [dayNumber(first), dayNumber(last)] as [number, number], hours };
  };
  type Plan = ReturnType<typeof planOf>;

  const dimensionRows = (linkId: number, plan: Plan, dim: string) => [
    ...(plan.days ? repo.dimensionDaily(linkId, dim, plan.days[0], plan.days[1]) : []),
    ...plan.hours.flatMap(([fromHour, toHour]) => repo.dimension({ linkId, fromHour, toHour }, dim)),
  ];

  const dimensions = (linkId: number, plan: Plan) => {
    const out = {} as Record<DimensionId, DimensionRow[]>;
    for (const t of DIMENSION_TABLES) out[t.id] = table(dimensionRows(linkId, plan, t.dim));
    const services = table(dimensionRows(linkId, plan, "service")).map((s) => ({ service: s.value, clicks: s.clicks }));
    // Click-outs by how they happened: a fan's tap, or the page routing a returning fan ("auto").
    const routes = table(dimensionRows(linkId, plan, "route")).map((r) => ({ route: r.value || "tap", clicks: r.clicks }));
    const excludedByKind: Record<string, { views: number; clicks: number }> = {};
    for (const row of table(dimensionRows(linkId, plan, "excluded"))) excludedByKind[row.value ?? "other"] = { views: row.views, clicks: row.clicks };
    return { dimensions: out, services, routes, excludedByKind };
  };

  /** Rows of one rollup dim per local day of the range: the daily tier in its own zone, else hours folded into days. */
  const perDay = (linkId: number, range: Range, dim: string) => {
    if (repo.dailyZone() === range.timeZone) {
      return repo.dimensionPerDay(linkId, dim, dayNumber(range.from), dayNumber(range.to)).map((r) => ({ date: dateOf(r.day), metric: r.metric, n: r.n }));
    }
    const dayOf = hourDays(range.timeZone);
    return repo.dimensionPerHour({ linkId, fromHour: range.fromHour, toHour: range.toHour }, dim).map((r) => ({ date: dayOf(r.hour), metric: r.metric, n: r.n }));
  };

  const daysOf = (range: Range, rows: { date: string; metric: string; n: number }[]): DayRow[] => {
    const by = new Map(range.dates.map((d) => [d, { date: d, views: 0, clicks: 0, ctr: 0, visitors: 0 }]));
    for (const r of rows) {
      const d = by.get(r.date);
      if (!d) continue;
      if (r.metric === "view") d.views += r.n;
      else if (r.metric === "click") d.clicks += r.n;
      else if (r.metric === "visitor") d.visitors += r.n;
    }
    const days = [...by.values()];
    for (const d of days) d.ctr = ctr(d.clicks, d.views);
    return days;
  };

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
      const dayOf = hourDays(range.timeZone);
      const days = daysOf(range, [
        ...repo.perHour(r).map((h) => ({ date: dayOf(h.hour), metric: h.metric, n: h.n })),
        ...(breakdown ? perDay(link.id, range, "").filter((v) => v.metric === "visitor") : []),
      ]);
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
          // Pre-save buttons are click-outs too; they keep their label after the release hides them.
          const d = link.destinations.find((x) => x.key === key) ?? link.presaves.find((x) => x.key === key);
          return { key, service: d?.service ?? null, label: d?.label ?? null, clicks: c, ctr: ctr(c, views) };
        }),
        days,
        ...(breakdown ? dimensions(link.id, planOf(range)) : {}),
      };
    },

    /** The whole instance over a range, with a per-link table. */
    instance(range: Range) {
      const plan = planOf(range);
      // Every fan's row has exactly one device value, so the device rows are the totals.
      const days = daysOf(range, [...perDay(INSTANCE, range, "device"), ...perDay(INSTANCE, range, "")]);
      const views = days.reduce((s, d) => s + d.views, 0);
      const clicks = days.reduce((s, d) => s + d.clicks, 0);
      const slugs = repo.slugs();
      const dims = dimensions(INSTANCE, plan);
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
        links: table(dimensionRows(INSTANCE, plan, "link")).map((l) => ({ slug: slugs.get(Number(l.value)) ?? null, linkId: Number(l.value), views: l.views, clicks: l.clicks, ctr: l.ctr })),
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
