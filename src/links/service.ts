import type { Database } from "bun:sqlite";
import { catalogEntry, detectService } from "../catalog";
import { conflict, invalid, notFound } from "../errors";
import { linkRepo } from "./repo";
import type { Destination, Link, LinkCreate, LinkPatch } from "./model";
import { resolveRelease } from "../release/schedule";

type DestinationInput = { url: string; service?: string; label?: string; countryUrls?: Record<string, string>; hiddenIn?: string[] };

function slugify(text: string): string {
  return text.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").slice(0, 32).replace(/^-+|-+$/g, "");
}

/**
 * Gives each destination its key: the service id for a known service, otherwise a slug of its
 * label (or host), so keys stay stable when the list is reordered or edited.
 */
export function resolveDestinations(inputs: DestinationInput[]): Destination[] {
  // "featured" is the bio hub card's own click-out key.
  const used = new Set<string>(["featured"]);
  const fields: Record<string, string> = {};
  const out = inputs.map((d, i) => {
    let service: string | null = null;
    if (d.service) {
      if (!catalogEntry(d.service)) fields[`destinations.${i}.service`] = `unknown service "${d.service}"`;
      else service = d.service;
    } else {
      service = detectService(d.url)?.id ?? null;
    }
    const label = d.label?.trim() || null;
    const base = service ?? (slugify(label ?? new URL(d.url).hostname.replace(/^www\./, "")) || "link");
    let key = base;
    for (let n = 2; used.has(key); n++) key = `${base}-${n}`;
    used.add(key);
    const countryUrls = d.countryUrls && Object.keys(d.countryUrls).length ? d.countryUrls : null;
    const hiddenIn = d.hiddenIn?.length ? [...new Set(d.hiddenIn)].sort() : null;
    return { key, url: d.url, service, label: label ?? (service ? null : new URL(d.url).hostname.replace(/^www\./, "")), countryUrls, hiddenIn };
  });
  if (Object.keys(fields).length) throw invalid("Some destinations are not valid", fields);
  return out;
}

/** What a page or click-out needs of a link, kept in memory: the hot paths never query for it. */
export interface ResolvedLink extends Link {
  byKey: Map<string, Destination>;
}

export function linkService(db: Database, clock: () => number = Date.now) {
  const repo = linkRepo(db);
  const cache = new Map<string, ResolvedLink | null>();
  let version = 0;
  const changed = () => {
    cache.clear();
    version++;
  };

  const assertFeatured = (slug: string | null | undefined) => {
    if (!slug) return;
    const target = repo.bySlug(slug);
    if (!target || target.type !== "release") throw invalid("Featured link must be a release", { featuredSlug: `no release link "${slug}"` });
  };

  const create = (input: LinkCreate): Link => {
    if (repo.bySlug(input.slug)) throw conflict(`The slug "${input.slug}" is taken`, { slug: "is taken" });
    assertFeatured(input.featuredSlug);
    const destinations = resolveDestinations(input.destinations);
    const link = {
      slug: input.slug, type: input.type, title: input.title, artist: input.artist, bio: input.bio,
      artworkUrl: input.artworkUrl ?? null, published: input.published, featuredSlug: input.featuredSlug ?? null,
      pixelId: input.pixelId ?? null, extraPixelId: input.extraPixelId ?? null,
      accessToken: input.accessToken ?? null, clickEventName: input.clickEventName ?? null,
      autoRoute: input.autoRoute, autoRouteDelayMs: input.autoRouteDelayMs, deviceOrder: input.deviceOrder,
      destinations,
      ...resolveRelease(input, null, input.type, destinations, clock()),
    };
    repo.create(link, clock());
    changed();
    return repo.bySlug(input.slug)!;
  };

  const update = (slug: string, patch: LinkPatch): Link => {
    const current = repo.bySlug(slug);
    if (!current) throw notFound(`No link "${slug}"`);
    if (patch.slug && patch.slug !== slug && repo.bySlug(patch.slug)) throw conflict(`The slug "${patch.slug}" is taken`, { slug: "is taken" });
    if (patch.featuredSlug) assertFeatured(patch.featuredSlug);
    // undefined leaves a field alone; null clears an optional one.
    const pick = <K extends keyof Link>(k: K, v: Link[K] | undefined) => (v === undefined ? current[k] : v);
    const destinations = patch.destinations ? resolveDestinations(patch.destinations) : current.destinations;
    const next: Link = {
      ...current,
      slug: pick("slug", patch.slug),
      type: pick("type", patch.type),
      title: pick("title", patch.title),
      artist: pick("artist", patch.artist),
      bio: pick("bio", patch.bio),
      artworkUrl: pick("artworkUrl", patch.artworkUrl),
      published: pick("published", patch.published),
      featuredSlug: pick("featuredSlug", patch.featuredSlug),
      pixelId: pick("pixelId", patch.pixelId),
      extraPixelId: pick("extraPixelId", patch.extraPixelId),
      accessToken: pick("accessToken", patch.accessToken),
      clickEventName: pick("clickEventName", patch.clickEventName),
      autoRoute: pick("autoRoute", patch.autoRoute),
      autoRouteDelayMs: pick("autoRouteDelayMs", patch.autoRouteDelayMs),
      deviceOrder: pick("deviceOrder", patch.deviceOrder),
      destinations,
      ...resolveRelease(patch, current, patch.type ?? current.type, destinations, clock()),
    };
    repo.update(next, clock());
    changed();
    return repo.bySlug(next.slug)!;
  };

  const resolve = (slug: string): ResolvedLink | null => {
    let hit = cache.get(slug);
    if (hit === undefined) {
      const link = repo.bySlug(slug);
      // Pre-save links are click-outs too; their keys never clash with a destination's.
      hit = link && { ...link, byKey: new Map([...link.destinations, ...link.presaves].map((d) => [d.key, d])) };
      // Unknown slugs are cached too, but bounded, so random probes cannot grow memory without limit.
      if (hit || cache.size < 10_000) cache.set(slug, hit);
    }
    return hit;
  };

  return {
    create,
    update,
    get: (slug: string) => repo.bySlug(slug) ?? (() => { throw notFound(`No link "${slug}"`); })(),
    list: () => repo.list(),
    remove: (slug: string) => {
      const link = repo.bySlug(slug);
      if (!link) throw notFound(`No link "${slug}"`);
      repo.remove(link.id);
      changed();
    },
    /** Bumped on every change, so caches built from links know when to drop what they hold. */
    version: () => version,
    /** Drops what was built from links without changing one (e.g. when a tour date passes into history). */
    touch: changed,
    /** A published link for the public pages, from memory. */
    resolvePublished: (slug: string): ResolvedLink | null => {
      const link = resolve(slug);
      return link && link.published ? link : null;
    },
    /** The release a bio hub features: the chosen one, else the newest published release. */
    featuredFor: (bio: Link): ResolvedLink | null => {
      const chosen = bio.featuredSlug ? resolve(bio.featuredSlug) : null;
      if (chosen?.published && chosen.type === "release") return chosen;
      const newest = repo.newestReleaseSlug();
      return newest ? resolve(newest) : null;
    },
  };
}
export type LinkService = ReturnType<typeof linkService>;
