import { catalogEntry } from "../catalog";
import type { Link } from "../links/model";
import { tourCutoff } from "../links/page-props";
import { isUpcoming } from "../release/schedule";
import type { HealthRow } from "../monitor/repo";
import type { LinkMonitor } from "../monitor/service";
import type { BrokenDest, HealthView } from "../../views/admin/link-health";

export const adminTime = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString().slice(0, 16).replace("T", " ") + " UTC");

/** Looks up the monitor's word on a URL, for the editor's rows (a draft's rows too: by URL). */
export function healthLookup(monitor: LinkMonitor | null): (url: string) => HealthView | null {
  if (!monitor) return () => null;
  const byUrl = monitor.healthByUrl();
  const hidden = monitor.hiddenUrls();
  return (url) => {
    const h = byUrl.get(url.trim());
    return h ? toView(h, hidden.has(h.url)) : null;
  };
}

const toView = (h: HealthRow, hidden: boolean): HealthView => ({
  verdict: h.verdict, answer: h.answer, checkedAt: adminTime(h.checkedAt), brokenSince: adminTime(h.brokenSince), failures: h.failures, hidden,
});

/** A link's broken destinations (per-country URLs, pre-saves and tickets of shows still listed too), named as the artist knows them. */
export function brokenDestinations(link: Link, byUrl: Map<string, HealthRow>, now: number): BrokenDest[] {
  const today = tourCutoff(now);
  const urls: [string, string][] = link.destinations.flatMap((d) => {
    const name = d.label ?? (d.service ? catalogEntry(d.service)?.name : null) ?? d.key;
    return [[name, d.url], ...Object.entries(d.countryUrls ?? {}).map(([cc, url]): [string, string] => [`${name} (${cc})`, url])];
  });
  if (isUpcoming(link, now)) for (const d of link.presaves) urls.push([`Pre-save: ${d.label ?? (d.service ? catalogEntry(d.service)?.name : null) ?? d.key}`, d.url]);
  for (const t of link.tourDates ?? []) if (t.ticketUrl && t.date >= today) urls.push([`Tickets ${t.date} ${t.city}`, t.ticketUrl]);
  return urls.flatMap(([name, url]) => {
    const h = byUrl.get(url);
    return h?.verdict === "broken" ? [{ name, answer: h.answer, checkedAt: adminTime(h.checkedAt)! }] : [];
  });
}
