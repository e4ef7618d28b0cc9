import { z } from "zod";
import type { Destination, Link } from "../links/model";
import { tourCutoff } from "../links/page-props";
import { isUpcoming } from "../release/schedule";
import type { HealthRow } from "./repo";
import type { MonitorStatus } from "./service";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** One URL's health. */
const UrlHealth = z.object({
  url: z.string(),
  verdict: z.enum(["ok", "broken", "unknown", "unchecked"])
    .describe("ok: 2xx/3xx after redirects; broken: 404/410 once, or 5xx/timeouts/connection errors twice in a row; unknown: a bot wall (401/403/429) or one failure so far; unchecked: not checked yet"),
  statusCode: z.number().int().nullable().describe("the last HTTP status seen after redirects; null for a network error or before the first check"),
  answer: z.string().nullable().describe("the last answer in words, e.g. \"HTTP 404 Not Found\" or \"no answer within 10 s (timed out)\""),
  checkedAt: z.string().nullable(),
  consecutiveFailures: z.number().int(),
  brokenSince: z.string().nullable(),
  hidden: z.boolean().describe("true while the page leaves this URL's button out (the instance hides broken destinations)"),
});

export const DestinationHealth = UrlHealth.extend({
  key: z.string(),
  /** The destination's per-country URLs, each checked on its own. */
  countries: z.array(UrlHealth.extend({ country: z.string() })).describe("the health of each per-country URL override"),
});
export type DestinationHealth = z.infer<typeof DestinationHealth>;

export const LinkHealth = z.object({
  slug: z.string(),
  hideBroken: z.boolean().describe("whether this instance hides broken destinations from its pages"),
  lastRunAt: z.string().nullable().describe("when the last full run started"),
  nextRunAt: z.string().nullable().describe("when the next scheduled run is due; null when scheduled runs are off"),
  destinations: z.array(DestinationHealth),
  tickets: z.array(UrlHealth.extend({ date: z.string(), city: z.string() })).describe("a bio hub's ticket URLs of shows still listed"),
  presaves: z.array(DestinationHealth.omit({ countries: true })).describe("the health of each pre-save link, while the release is still to come"),
});
export type LinkHealth = z.infer<typeof LinkHealth>;

function urlHealth(url: string, row: HealthRow | undefined, hidden: ReadonlySet<string>): z.infer<typeof UrlHealth> {
  return {
    url,
    verdict: row?.verdict ?? "unchecked",
    statusCode: row?.statusCode ?? null,
    answer: row?.answer ?? null,
    checkedAt: iso(row?.checkedAt ?? null),
    consecutiveFailures: row?.failures ?? 0,
    brokenSince: iso(row?.brokenSince ?? null),
    hidden: hidden.has(url),
  };
}

/** One destination's health (and its country URLs') as the API shows it. */
export function destinationHealth(d: Destination, health: Map<string, HealthRow>, hidden: ReadonlySet<string>): DestinationHealth {
  return {
    key: d.key,
    ...urlHealth(d.url, health.get(d.url), hidden),
    countries: Object.entries(d.countryUrls ?? {}).map(([country, url]) => ({ country, ...urlHealth(url, health.get(url), hidden) })),
  };
}

/** Tickets of past shows and pre-saves of a release that is out are not checked, and not listed. */
export function linkHealth(link: Link, health: Map<string, HealthRow>, hidden: ReadonlySet<string>, hideBroken: boolean, status: MonitorStatus, now: number): LinkHealth {
  const today = tourCutoff(now);
  return {
    slug: link.slug,
    hideBroken,
    lastRunAt: iso(status.lastRun?.startedAt ?? null),
    nextRunAt: iso(status.nextRunAt),
    destinations: link.destinations.map((d) => destinationHealth(d, health, hidden)),
    presaves: (isUpcoming(link, now) ? link.presaves : []).map((d) => ({ key: d.key, ...urlHealth(d.url, health.get(d.url), hidden) })),
    tickets: (link.tourDates ?? []).flatMap((t) =>
      t.ticketUrl && t.date >= today ? [{ date: t.date, city: t.city, ...urlHealth(t.ticketUrl, health.get(t.ticketUrl), hidden) }] : []),
  };
}
