import { catalogEntry } from "../catalog";
import type { ButtonProps } from "../../views/components/destination-button";
import type { BioHubProps, SocialIcon, TourView } from "../../views/pages/bio-hub";
import type { SmartLinkProps } from "../../views/pages/smart-link";
import type { Meta } from "../../views/layout";
import { contentName } from "../tracking/server-events";
import type { Destination, Link, TourDate } from "./model";

/** The click-out key of a bio hub's featured release card. */
export const FEATURED_KEY = "featured";

/** Artwork may be stored as /media/… ; crawlers need it absolute. */
export function absolute(url: string | null, base: string): string | null {
  if (!url) return null;
  return url.startsWith("/") ? `${base}${url}` : url;
}

const GENERIC_ICONS: [RegExp, string][] = [
  [/merch|shop|store/i, "merch"],
  [/ticket|tour|show|concert/i, "tickets"],
  [/site|web|home/i, "website"],
];

export function button(slug: string, d: Destination, carry: string): ButtonProps {
  const entry = d.service ? catalogEntry(d.service) : undefined;
  const generic = GENERIC_ICONS.find(([re]) => re.test(`${d.label ?? ""} ${d.key}`))?.[1] ?? "link";
  return {
    href: `/${slug}/go/${d.key}${carry}`,
    icon: entry ? entry.id : generic,
    name: d.label ?? entry?.name ?? d.key,
    action: entry?.action ?? (entry?.kind === "streaming" ? "Play" : "Open"),
    destKey: d.key,
    service: d.service,
  };
}

/** What, besides the link itself, decides which destinations a page shows. */
export interface Visibility {
  /** Destination URLs to leave out: those the dead-link monitor found broken, while the instance hides them. */
  hiddenUrls?: ReadonlySet<string>;
}

/**
 * The destinations a page shows buttons for — the one place where pages filter them. A hidden
 * destination stays stored (and its click-out keeps working); it only gets no button.
 */
export function visibleDestinations(destinations: Destination[], visibility: Visibility = {}): Destination[] {
  const hidden = visibility.hiddenUrls;
  return hidden && hidden.size ? destinations.filter((d) => !isHidden(d.url, visibility)) : destinations;
}

/** Whether a page leaves out a button to this URL (destinations and tour tickets alike). */
export const isHidden = (url: string, visibility: Visibility) => visibility.hiddenUrls?.has(url) ?? false;

/** A release page's Open Graph and Twitter tags (the smart link and its countdown page). */
export function releaseMeta(link: Link, base: string, description: (title: string) => string): Meta {
  // "Title – Artist", as the Pixel's content_name names it too.
  const title = contentName(link);
  const artworkUrl = absolute(link.artworkUrl, base);
  return {
    title,
    description: description(title),
    url: `${base}/${link.slug}`,
    image: artworkUrl ?? undefined,
    imageAlt: artworkUrl ? `Cover art of ${title}` : undefined,
    ogType: "music.song",
  };
}

export function smartLinkProps(link: Link, base: string, carry: string, visibility: Visibility = {}): Omit<SmartLinkProps, "safeScripts"> {
  const shown = visibleDestinations(link.destinations, visibility);
  const names = shown.map((d) => (d.service ? catalogEntry(d.service)?.name : null)).filter(Boolean);
  return {
    meta: releaseMeta(link, base, (title) => (names.length ? `Listen on ${names.slice(0, 6).join(", ")}${names.length > 6 ? " and more" : ""}.` : `Listen to ${title}.`)),
    title: link.title,
    artist: link.artist,
    artworkUrl: link.artworkUrl,
    buttons: shown.map((d) => button(link.slug, d, carry)),
  };
}

/**
 * Each show's click-out key: "tickets-" and its date (a second show that day gets "-2"), so a
 * ticket tap is counted like any other button and the key survives edits of other dates.
 */
export function tourKeys(tours: TourDate[]): (TourDate & { key: string })[] {
  const seen = new Map<string, number>();
  return tours.map((t) => {
    const n = (seen.get(t.date) ?? 0) + 1;
    seen.set(t.date, n);
    return { ...t, key: `tickets-${t.date}${n > 1 ? `-${n}` : ""}` };
  });
}

/** The first show date (YYYY-MM-DD) still listed: a show stays until noon UTC the day after, so an evening show anywhere is not hidden early. */
export const tourCutoff = (now: number) => new Date(now - 12 * 3_600_000).toISOString().slice(0, 10);

export function upcomingTours(tours: TourDate[], now: number, slug: string, carry: string, visibility: Visibility = {}): TourView[] {
  const cutoff = tourCutoff(now);
  return tourKeys(tours).filter((t) => t.date >= cutoff).map((t) => ({
    when: new Date(`${t.date}T00:00:00Z`).toLocaleDateString("en-US", { weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: "UTC" }),
    place: t.venue ? `${t.city}, ${t.venue}` : t.city,
    // A hidden ticket URL (broken, while the instance hides those) leaves the show listed without its button.
    href: t.ticketUrl && !isHidden(t.ticketUrl, visibility) ? `/${slug}/go/${t.key}${carry}` : null,
    destKey: t.key,
  }));
}

export function bioHubProps(link: Link, featured: Link | null, base: string, carry: string, now = Date.now(), visibility: Visibility = {}): Omit<BioHubProps, "safeScripts"> {
  const avatar = absolute(link.artworkUrl, base);
  const socials: SocialIcon[] = [];
  const links: ButtonProps[] = [];
  for (const d of visibleDestinations(link.destinations, visibility)) {
    const entry = d.service ? catalogEntry(d.service) : undefined;
    if (entry?.kind === "social" && !d.label) {
      socials.push({ href: `/${link.slug}/go/${d.key}${carry}`, icon: entry.id, name: entry.name, destKey: d.key });
    } else {
      links.push(button(link.slug, d, carry));
    }
  }
  return {
    meta: {
      title: link.title,
      description: link.bio ? link.bio.slice(0, 200) : `${link.title}: music, shows and more.`,
      url: `${base}/${link.slug}`,
      image: avatar ?? undefined,
      ogType: "profile",
    },
    name: link.title,
    bio: link.bio,
    avatarUrl: link.artworkUrl,
    // The card goes through the click-out route too, so the hub's click-through counts it.
    featured: featured && {
      href: `/${link.slug}/go/${FEATURED_KEY}${carry}`,
      title: featured.title,
      artist: featured.artist,
      artworkUrl: featured.artworkUrl,
    },
    links,
    socials,
    tours: upcomingTours(link.tourDates ?? [], now, link.slug, carry, visibility),
  };
}
