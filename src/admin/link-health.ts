import { catalogEntry } from "../catalog";
import type { Link } from "../links/model";
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

/** A link's broken destinations (and per-country URLs), named as the artist knows them. */
export function brokenDestinations(link: Link, byUrl: Map<string, HealthRow>): BrokenDest[] {
  return link.destinations.flatMap((d) => {
    const name = d.label ?? (d.service ? catalogEntry(d.service)?.name : null) ?? d.key;
    const urls: [string, string][] = [[name, d.url], ...Object.entries(d.countryUrls ?? {}).map(([cc, url]): [string, string] => [`${name} (${cc})`, url])];
    return urls.flatMap(([label, url]) => {
      const h = byUrl.get(url);
      return h?.verdict === "broken" ? [{ name: label, answer: h.answer, checkedAt: adminTime(h.checkedAt)! }] : [];
    });
  });
}
