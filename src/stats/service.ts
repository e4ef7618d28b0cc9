import type { Database } from "bun:sqlite";
import type { Link } from "../links/model";
import { statsRepo } from "./repo";

const HOUR = 3_600_000;
const ctr = (clicks: number, views: number) => (views > 0 ? Math.round((clicks / views) * 10_000) / 10_000 : 0);
const isoDay = (day: number) => new Date(day * 24 * HOUR).toISOString().slice(0, 10);

/** Views, click-outs and CTR of one link over the last `days` UTC days, today included. */
export function linkStats(db: Database, clock: () => number = Date.now) {
  const repo = statsRepo(db);
  return (link: Link, days: number) => {
    const today = Math.floor(clock() / (24 * HOUR));
    const range = { linkId: link.id, fromHour: (today - days + 1) * 24, toHour: (today + 1) * 24 };
    const totals = Object.fromEntries(repo.totals(range).map((t) => [t.metric, t]));
    const views = totals.view?.humans ?? 0;
    const clicks = totals.click?.humans ?? 0;
    const byKey = new Map(repo.perDestination(range).map((d) => [d.key, d]));
    const byDay = new Map<number, { views: number; clicks: number }>();
    for (const row of repo.perDay(range)) {
      const d = byDay.get(row.day) ?? { views: 0, clicks: 0 };
      if (row.metric === "view") d.views += row.humans;
      else d.clicks += row.humans;
      byDay.set(row.day, d);
    }
    const keys = [...link.destinations.map((d) => d.key), ...[...byKey.keys()].filter((k) => !link.destinations.some((d) => d.key === k))];
    return {
      slug: link.slug,
      from: isoDay(today - days + 1),
      to: isoDay(today),
      views,
      clicks,
      ctr: ctr(clicks, views),
      // Bots, link previews, HEAD requests and prefetches, counted apart and never in the figures above.
      excluded: { views: totals.view?.others ?? 0, clicks: totals.click?.others ?? 0 },
      destinations: keys.map((key) => {
        const c = byKey.get(key)?.clicks ?? 0;
        const d = link.destinations.find((x) => x.key === key);
        return { key, service: d?.service ?? null, label: d?.label ?? null, clicks: c, ctr: ctr(c, views) };
      }),
      days: Array.from({ length: days }, (_, i) => {
        const day = today - days + 1 + i;
        const d = byDay.get(day) ?? { views: 0, clicks: 0 };
        return { date: isoDay(day), views: d.views, clicks: d.clicks, ctr: ctr(d.clicks, d.views) };
      }),
    };
  };
}
