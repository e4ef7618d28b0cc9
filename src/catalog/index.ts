import { hostMatcher } from "./host-patterns";
import { iconRenderer, type InlineIconOptions } from "./icons";
import type { CatalogEntry } from "./model";
import { socialSet } from "./socials";
import { streamingSet } from "./streaming";

export type { CatalogEntry, CatalogKind } from "./model";

export const streamingServices: readonly CatalogEntry[] = streamingSet.entries;

/**
 * YouTube is not repeated here: it has one entry, in `streamingServices`, because a destination
 * stores a single id and two "youtube" entries would make it ambiguous. `catalogEntry("youtube")`
 * serves both uses; on a bio hub a YouTube link shows as a "Watch" button rather than in the icon row.
 */
export const socials: readonly CatalogEntry[] = socialSet.entries;

const all = [...streamingServices, ...socials];
const byId = new Map(all.map((entry) => [entry.id, entry]));
const renderer = iconRenderer(all, new Map([...streamingSet.brandPaths, ...socialSet.brandPaths]));

/** The entry with this id, streaming or social. */
export function catalogEntry(id: string): CatalogEntry | undefined {
  return byId.get(id);
}

/**
 * Detect the service from a pasted URL (http/https only; returns undefined for anything else or unknown hosts).
 * Hosts compare case-insensitively with "www." ignored; an exact host beats a wildcard, so
 * music.youtube.com is YouTube Music while youtube.com and youtu.be are YouTube.
 */
export const detectService: (url: string) => CatalogEntry | undefined = hostMatcher(all);

/**
 * A standalone 24x24 SVG document for the entry's icon, filled with `fill` (default: the brand colour).
 * Brands come from Simple Icons; services it lacks get a music note (streaming) or a link glyph, and
 * the generic destinations "link", "merch", "tickets" and "website" have glyphs of their own.
 * Unknown ids get the link glyph.
 */
export function iconSvg(id: string, fill?: string): string {
  return renderer.iconSvg(id, fill);
}

/** The same icon as inline markup, hidden from assistive technology since the button text names it. */
export function inlineIcon(id: string, opts?: InlineIconOptions): string {
  return renderer.inlineIcon(id, opts);
}
