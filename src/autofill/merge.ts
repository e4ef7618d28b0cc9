import { catalogEntry } from "../catalog";
import { appleIdOf, storeTitle } from "./itunes";
import { deezerIdOf } from "./deezer";
import {
  levelOf, VIA_SCORE, type AutofillResult, type Candidate, type CatalogueId, type CatalogueReport, type FieldMatch, type Finding, type Source,
} from "./model";
import type { AutofillQuery } from "./query";

/** Each further catalogue that agrees adds this much, up to AGREED_MAX; only the pasted link itself is certain. */
const AGREEMENT_BONUS = 0.1;
const AGREED_MAX = 0.99;

/**
 * Two URLs point at the same release when they carry the same service id (storefront, locale and
 * tracking parameters aside); otherwise host + path decide.
 */
export function targetKey(service: string, url: string): string {
  try {
    if (service === "apple-music") {
      const ref = appleIdOf(url);
      if (ref) return `apple:${ref.id}`;
    }
    if (service === "deezer") {
      const ref = deezerIdOf(url);
      if (ref) return `deezer:${ref.kind}:${ref.id}`;
    }
    const u = new URL(url);
    const path = u.pathname.replace(/^\/intl-[a-z]{2}(?=\/)/i, "").replace(/\/+$/, "");
    const v = u.searchParams.get("v") ?? u.searchParams.get("list");
    return `${u.hostname.toLowerCase().replace(/^www\./, "")}${path}${v ? `?${v}` : ""}`;
  } catch {
    return url;
  }
}

const agreed = (best: number, others: number) => (best >= 1 ? 1 : Math.min(AGREED_MAX, best + AGREEMENT_BONUS * others));
const round = (n: number) => Math.round(n * 100) / 100;

/** Keeps each catalogue once, with its surest way of knowing. */
function dedupeSources(sources: Source[]): Source[] {
  const best = new Map<string, Source>();
  for (const s of sources) {
    const seen = best.get(s.catalogue);
    if (!seen || VIA_SCORE[s.via] > VIA_SCORE[seen.via]) best.set(s.catalogue, s);
  }
  return [...best.values()].sort((a, b) => VIA_SCORE[b.via] - VIA_SCORE[a.via]);
}

function destinations(query: AutofillQuery, findings: Finding[]): Candidate[] {
  const byService = new Map<string, Map<string, { url: string; sources: Source[] }>>();
  const add = (service: string, url: string, source: Source) => {
    if (!catalogEntry(service)) return;
    const targets = byService.get(service) ?? new Map();
    byService.set(service, targets);
    const key = targetKey(service, url);
    const target = targets.get(key) ?? { url, sources: [] };
    targets.set(key, target);
    // The pasted URL is kept exactly as the artist gave it.
    if (source.catalogue === "pasted") target.url = url;
    target.sources.push(source);
  };
  if (query.kind === "url") add(query.service, query.value, { catalogue: "pasted", via: "input" });
  for (const f of findings) for (const l of f.links) add(l.service, l.url, { catalogue: f.catalogue, via: l.via ?? f.via });

  const out: Candidate[][] = [];
  for (const [service, targets] of byService) {
    const conflict = targets.size > 1;
    const group = [...targets.values()].map(({ url, sources }) => {
      const unique = dedupeSources(sources);
      const confidence = round(agreed(VIA_SCORE[unique[0]!.via], unique.length - 1));
      return { service, serviceName: catalogEntry(service)!.name, url, confidence, level: levelOf(confidence), sources: unique, conflict };
    });
    out.push(group.sort((a, b) => b.confidence - a.confidence || b.sources.length - a.sources.length));
  }
  return out.sort((a, b) => b[0]!.confidence - a[0]!.confidence || a[0]!.serviceName.localeCompare(b[0]!.serviceName)).flat();
}

const loose = (s: string) => storeTitle(s).toLowerCase().normalize("NFKD").replace(/[^\p{L}\p{N}]+/gu, " ").trim();

/** Groups what the catalogues said by meaning (case, accents, punctuation aside); the best-backed value wins, the others are shown. */
function field(findings: Finding[], pick: (f: Finding) => string | undefined): FieldMatch | null {
  const groups = new Map<string, { value: string; weight: number; best: number; sources: CatalogueId[] }>();
  for (const f of findings) {
    const raw = pick(f)?.trim();
    if (!raw) continue;
    const key = loose(raw) || raw;
    const g = groups.get(key) ?? { value: raw, weight: 0, best: 0, sources: [] };
    groups.set(key, g);
    if (VIA_SCORE[f.via] > g.best) {
      g.best = VIA_SCORE[f.via];
      g.value = raw;
    }
    if (!g.sources.includes(f.catalogue)) {
      g.sources.push(f.catalogue);
      g.weight += VIA_SCORE[f.via];
    }
  }
  const ranked = [...groups.values()].sort((a, b) => b.weight - a.weight);
  const top = ranked[0];
  if (!top) return null;
  const confidence = round(Math.min(0.99, agreed(top.best, top.sources.length - 1)) * (ranked.length > 1 ? 0.8 : 1));
  return { value: top.value, confidence, level: levelOf(confidence), sources: top.sources, alternatives: ranked.slice(1).map((g) => ({ value: g.value, sources: g.sources })) };
}

/** Artwork URLs differ per catalogue even for one picture: the surest, largest source wins, the rest are alternatives. */
const ARTWORK_PREFERENCE: CatalogueId[] = ["deezer", "itunes", "odesli", "musicbrainz"];
function artwork(findings: Finding[]): FieldMatch | null {
  const withArt = findings
    .filter((f) => f.artworkUrl && /^https?:\/\//.test(f.artworkUrl))
    .sort((a, b) => VIA_SCORE[b.via] - VIA_SCORE[a.via] || ARTWORK_PREFERENCE.indexOf(a.catalogue) - ARTWORK_PREFERENCE.indexOf(b.catalogue));
  const [top, ...rest] = withArt;
  if (!top) return null;
  const confidence = round(VIA_SCORE[top.via] >= 1 ? 0.99 : VIA_SCORE[top.via]);
  return { value: top.artworkUrl!, confidence, level: levelOf(confidence), sources: [top.catalogue], alternatives: rest.map((f) => ({ value: f.artworkUrl!, sources: [f.catalogue] })) };
}

/** Puts every catalogue's findings together without hiding disagreements. */
export function mergeFindings(query: AutofillQuery, findings: Finding[], catalogues: CatalogueReport[]): AutofillResult {
  return {
    query,
    title: field(findings, (f) => f.title && storeTitle(f.title)),
    artist: field(findings, (f) => f.artist),
    artworkUrl: artwork(findings),
    destinations: destinations(query, findings),
    catalogues,
    partial: catalogues.some((c) => c.status === "timeout" || c.status === "unavailable" || c.status === "rate_limited" || c.status === "bad_answer"),
    cached: false,
  };
}
