/**
 * Putting auto-fill answers on a stored link — the one rule: a manual entry is never overwritten.
 *
 *   applyAutofill(links, slug, accepted)   adds the accepted destinations for services the link
 *                                          lacks and fills title/artist/artwork only where empty.
 *   refillLink(links, autofill, slug)      re-runs auto-fill for a stored link (its remembered UPC,
 *                                          ISRC or link, else its first streaming destination), fresh
 *                                          from the catalogues, and adds only high-confidence,
 *                                          unconflicted destinations for services it lacks. Never
 *                                          changes or removes a destination. Resolves to the
 *                                          destinations it added ([] when nothing new, or when every
 *                                          catalogue failed: a catalogue never makes it throw). An
 *                                          unknown slug throws the link service's 404 AppError.
 *                                          `links` is createApp's LinkService, `autofill` its
 *                                          AutofillService (createApp(...).autofill).
 *   refillLinkReport(…)                    the same, resolving to { added, result } with the catalogues' report.
 */
import { catalogEntry, detectService } from "../catalog";
import { invalid } from "../errors";
import { LinkPatch, type Destination, type Link } from "../links/model";
import type { LinkService } from "../links/service";
import type { AutofillResult, Candidate } from "./model";
import { parseAutofillQuery, type AutofillQuery } from "./query";
import type { AutofillService } from "./service";

const MAX_DESTINATIONS = 50;

export interface AcceptedAutofill {
  destinations: { url: string; service?: string }[];
  title?: string;
  artist?: string;
  artworkUrl?: string;
}

export interface Skipped {
  url: string;
  service: string | null;
  reason: string;
}

export interface Applied {
  link: Link;
  added: Destination[];
  skipped: Skipped[];
  /** Which of title, artist and artworkUrl were empty and are now filled. */
  filled: ("title" | "artist" | "artworkUrl")[];
}

const sameUrl = (a: string, b: string) => a.trim().replace(/\/+$/, "").toLowerCase() === b.trim().replace(/\/+$/, "").toLowerCase();

/**
 * A stored destination as input again, every field it has (country URLs, hidden countries, and
 * whatever is added later) carried over: only the key is derived, and it comes out the same.
 */
function asInput(d: Destination): NonNullable<LinkPatch["destinations"]>[number] {
  const { key: _key, ...fields } = d;
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== null)) as NonNullable<LinkPatch["destinations"]>[number];
}

export function applyAutofill(links: LinkService, slug: string, accepted: AcceptedAutofill): Applied {
  const link = links.get(slug);
  const services = new Set(link.destinations.map((d) => d.service).filter((s): s is string => s !== null));
  const ticked = new Set<string>();
  const additions: { url: string; service: string }[] = [];
  const skipped: Skipped[] = [];
  const fields: Record<string, string> = {};
  accepted.destinations.forEach((d, i) => {
    const url = d.url.trim();
    if (!/^https?:\/\//i.test(url)) {
      fields[`destinations.${i}.url`] = "must be an http:// or https:// URL";
      return;
    }
    const service = d.service || detectService(url)?.id || null;
    if (!service || !catalogEntry(service)) return skipped.push({ url, service, reason: "not a known service" });
    const name = catalogEntry(service)!.name;
    if (services.has(service)) return skipped.push({ url, service, reason: `kept: the link already has ${name}` });
    if (ticked.has(service)) return skipped.push({ url, service, reason: `another ${name} link was accepted first` });
    if (link.destinations.some((x) => sameUrl(x.url, url))) return skipped.push({ url, service, reason: "kept: the link already has this URL" });
    if (link.destinations.length + additions.length >= MAX_DESTINATIONS) return skipped.push({ url, service, reason: `a link has at most ${MAX_DESTINATIONS} destinations` });
    ticked.add(service);
    additions.push({ url, service });
  });
  if (Object.keys(fields).length) throw invalid("Some destinations are not valid", fields);

  const patch: LinkPatch = {};
  const filled: Applied["filled"] = [];
  if (accepted.title?.trim() && !link.title.trim()) (patch.title = accepted.title.trim()), filled.push("title");
  if (accepted.artist?.trim() && !link.artist.trim()) (patch.artist = accepted.artist.trim()), filled.push("artist");
  if (accepted.artworkUrl?.trim() && !link.artworkUrl) (patch.artworkUrl = accepted.artworkUrl.trim()), filled.push("artworkUrl");
  if (additions.length) {
    // Existing rows go back exactly as stored, first and in order, so their keys (and click history) stay.
    patch.destinations = [...link.destinations.map(asInput), ...additions];
  }
  if (!Object.keys(patch).length) return { link, added: [], skipped, filled };
  const checked = LinkPatch.safeParse(patch);
  if (!checked.success) {
    const out: Record<string, string> = {};
    for (const issue of checked.error.issues) out[issue.path.map(String).join(".") || "body"] ??= issue.message;
    throw invalid("Some auto-fill values are not valid", out);
  }
  const updated = links.update(slug, checked.data);
  const before = new Set(link.destinations.map((d) => d.key));
  return { link: updated, added: updated.destinations.filter((d) => !before.has(d.key)), skipped, filled };
}

/** Candidates a re-run may add on its own: sure ones only, one per service, none the catalogues disagree on. */
export function unattendedPicks(result: AutofillResult): Candidate[] {
  return result.destinations.filter((c) => c.level === "high" && !c.conflict);
}

/** What a stored link is re-run with: the remembered query, else its first streaming destination. */
export function refillQuery(autofill: AutofillService, link: Link): AutofillQuery | null {
  const stored = autofill.storedQuery(link.id);
  if (stored) return stored;
  for (const d of link.destinations) {
    if (!d.service || catalogEntry(d.service)?.kind !== "streaming") continue;
    try {
      return parseAutofillQuery(d.url);
    } catch {
      // Not a link the catalogues can read (a short link, a profile): try the next.
    }
  }
  return null;
}

export async function refillLink(links: LinkService, autofill: AutofillService, slug: string): Promise<Destination[]> {
  return (await refillLinkReport(links, autofill, slug)).added;
}

export async function refillLinkReport(links: LinkService, autofill: AutofillService, slug: string): Promise<{ added: Destination[]; result: AutofillResult | null }> {
  const query = refillQuery(autofill, links.get(slug));
  if (!query) return { added: [], result: null };
  const result = await autofill.lookup(query, { fresh: true });
  // Read again after the wait: the artist may have edited the link meanwhile, and their edit wins.
  const { added } = applyAutofill(links, slug, { destinations: unattendedPicks(result).map((c) => ({ url: c.url, service: c.service })) });
  return { added, result };
}
