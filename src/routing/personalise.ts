import type { Destination, Link } from "../links/model";
import type { AgentInfo } from "../stats/agent";

/** What a page may differ by for one fan: their country and their platform. */
export interface Viewer {
  country: string | null;
  os: AgentInfo["os"];
}

/** The service a platform's own fans reach for first, for links that order buttons by device. */
const PLATFORM_FIRST: Record<string, string[]> = {
  ios: ["apple-music"],
  macos: ["apple-music"],
  android: ["youtube-music"],
};

export const hasCountryRules = (link: Pick<Link, "destinations">) =>
  link.destinations.some((d) => d.countryUrls !== null || d.hiddenIn !== null);

/**
 * Which parts of a viewer change this link's page: only those its rules read, so a link without
 * country rules or device order keeps one cached page for everyone.
 */
export function variantKey(link: Pick<Link, "destinations" | "deviceOrder">, viewer: Viewer): string {
  const country = hasCountryRules(link) ? viewer.country ?? "--" : "";
  const os = link.deviceOrder ? viewer.os ?? "" : "";
  return country || os ? `${country}/${os}` : "";
}

/** A destination's URL for a fan in `country`: its override there, else the stored default. */
export function urlFor(dest: Destination, country: string | null): string {
  return (country && dest.countryUrls?.[country]) || dest.url;
}

/** The destinations this viewer sees, in the order they see them, with their country's URL. */
export function destinationsFor(link: Pick<Link, "destinations" | "deviceOrder">, viewer: Viewer): Destination[] {
  let list = link.destinations;
  if (viewer.country) {
    const cc = viewer.country;
    list = list.filter((d) => !d.hiddenIn?.includes(cc)).map((d) => (d.countryUrls?.[cc] ? { ...d, url: d.countryUrls[cc]! } : d));
  }
  const first = link.deviceOrder && viewer.os ? PLATFORM_FIRST[viewer.os] : undefined;
  if (first) {
    const lead = list.filter((d) => d.service !== null && first.includes(d.service));
    if (lead.length) list = [...lead, ...list.filter((d) => !lead.includes(d))];
  }
  return list;
}
