import type { Database } from "bun:sqlite";
import type { Config } from "../config";
import { log } from "../log";
import { deezerCatalogue } from "./deezer";
import { catalogueHttp } from "./http";
import { itunesCatalogue } from "./itunes";
import { CatalogueFailure, rateLimiter, type FailureKind, type RateLimit } from "./limiter";
import { mergeFindings } from "./merge";
import {
  CATALOGUE_NAMES, CATALOGUES, type AutofillResult, type Catalogue, type CatalogueId, type CatalogueReport, type Finding,
} from "./model";
import { musicbrainzCatalogue } from "./musicbrainz";
import { odesliCatalogue } from "./odesli";
import { parseAutofillQuery, queryKey, type AutofillQuery } from "./query";
import { autofillRepo } from "./repo";
import pkg from "../../package.json" with { type: "json" };

/**
 * Each catalogue's published limit, kept with room to spare since one instance may share an IP:
 * MusicBrainz allows 1 request a second (spaced 1.1 s so jitter in flight never makes it 2),
 * Deezer 50 per 5 s, the iTunes Search API about 20 a minute, Odesli 10 a minute without a key.
 */
export const RATE_LIMITS: Record<CatalogueId, RateLimit> = {
  musicbrainz: { intervalMs: 1100, perWindow: Infinity, windowMs: 1000 },
  deezer: { intervalMs: 50, perWindow: 25, windowMs: 5000 },
  itunes: { intervalMs: 100, perWindow: 20, windowMs: 60_000 },
  odesli: { intervalMs: 100, perWindow: 10, windowMs: 60_000 },
};

const CACHE_MS = 10 * 60_000;
/** A partial answer is kept briefly: the catalogue that failed may be back in a moment. */
const PARTIAL_CACHE_MS = 30_000;
const CACHE_ENTRIES = 200;

interface Progress {
  /** Questions already put to this catalogue in this lookup. */
  asked: Set<string>;
  found: boolean;
  failure?: { kind: FailureKind; message: string };
}

const ODESLI_FIRST = ["spotify", "apple-music", "deezer", "tidal", "youtube-music"];
const odesliRank = (service: string) => (ODESLI_FIRST.includes(service) ? ODESLI_FIRST.indexOf(service) : ODESLI_FIRST.length);

const NOT_ASKED: Record<CatalogueId, string> = {
  itunes: "has nothing to look up for this query",
  deezer: "has nothing to look up for this query",
  musicbrainz: "is asked by UPC or ISRC only",
  odesli: "reads links only, and no link was found to ask it with",
};

export function autofillService({ config, db, clock = Date.now }: { config: Config; db: Database; clock?: () => number }) {
  const a = config.autofill;
  // MusicBrainz asks for an application name, a version and a way to reach whoever runs it.
  const userAgent = `Outro/${pkg.version} (self-hosted smart links${config.publicUrl ? `; ${config.publicUrl}` : ""})`;
  const http = (baseUrl: string, id: CatalogueId) => catalogueHttp({ baseUrl, limiter: rateLimiter(RATE_LIMITS[id]), timeoutMs: a.timeoutMs, userAgent });
  const catalogues: Record<CatalogueId, Catalogue> = {
    itunes: itunesCatalogue(http(a.itunesUrl, "itunes"), a.country.toLowerCase()),
    deezer: deezerCatalogue(http(a.deezerUrl, "deezer")),
    musicbrainz: musicbrainzCatalogue(http(a.musicbrainzUrl, "musicbrainz")),
    odesli: odesliCatalogue(http(a.odesliUrl, "odesli"), a.country),
  };
  const repo = autofillRepo(db);
  const cache = new Map<string, { at: number; result: AutofillResult }>();
  const inFlight = new Map<string, Promise<AutofillResult>>();

  async function run(query: AutofillQuery): Promise<AutofillResult> {
    const deadline = performance.now() + a.deadlineMs;
    const findings: Finding[] = [];
    const progress = new Map<CatalogueId, Progress>(CATALOGUES.map((id) => [id, { asked: new Set<string>(), found: false }]));

    /** The next thing worth asking this catalogue, from the query and what the others found so far. */
    const nextQuestion = (id: CatalogueId): { key: string; run: () => Promise<Finding | null> } | null => {
      const c = catalogues[id];
      const p = progress.get(id)!;
      if (p.found || p.failure) return null;
      const sure = findings.filter((f) => f.via !== "search");
      const found = sure.flatMap((f) => f.links);
      // Odesli gets one link per look-up (10 requests a minute): the pasted one, else one of the services it reads best.
      if (id === "odesli") found.sort((x, y) => odesliRank(x.service) - odesliRank(y.service));
      const links = [...(query.kind === "url" ? [{ service: query.service, url: query.value }] : []), ...found];
      const isrc = query.kind === "isrc" ? query.value : sure.find((f) => f.isrc)?.isrc;
      const upc = query.kind === "upc" ? query.value : sure.find((f) => f.upc)?.upc;
      const options: { key: string; run?: () => Promise<Finding | null> }[] = [];
      // Reading a link on the catalogue's own service is an exact id look-up (and the pasted link itself is the surest).
      for (const l of links) {
        if (!c.byUrl || !c.reads?.(l.url, l.service)) continue;
        const pasted = l.url === query.value;
        options.push({
          key: `url:${l.url}`,
          run: async () => {
            const f = await c.byUrl!(l.url, l.service, deadline);
            // A link another catalogue found is read by its id: sure, but not the artist's own paste.
            return f && f.via === "input" && !pasted ? { ...f, via: "id" } : f;
          },
        });
        if (id === "odesli") break;
      }
      if (upc && c.byUpc) options.push({ key: `upc:${upc}`, run: () => c.byUpc!(upc, deadline) });
      if (isrc && c.byIsrc) options.push({ key: `isrc:${isrc}`, run: () => c.byIsrc!(isrc, deadline) });
      if (c.search && findings.length) {
        const so = mergeFindings(query, findings, []);
        const kind = query.kind === "isrc" ? "track" : query.kind === "upc" ? "album" : (sure[0]?.kind ?? null);
        if (so.title) options.push({ key: "search", run: () => c.search!(so.title!.value, so.artist?.value ?? "", kind, deadline) });
      }
      const next = options.find((o) => !p.asked.has(o.key));
      return next?.run ? { key: next.key, run: next.run } : null;
    };

    const ask = async (id: CatalogueId, key: string, question: () => Promise<Finding | null>) => {
      const p = progress.get(id)!;
      p.asked.add(key);
      try {
        const f = await question();
        if (f && (f.links.length || f.title)) {
          findings.push(f);
          p.found = true;
        }
      } catch (err) {
        if (err instanceof CatalogueFailure) {
          p.failure = { kind: err.kind, message: err.message };
          log.info({ catalogue: id, kind: err.kind, reason: err.message }, "auto-fill: catalogue gave no answer");
        } else {
          // A catalogue changed its answer's shape: say so, keep the others.
          log.warn({ catalogue: id, err }, "auto-fill: unexpected answer");
          p.failure = { kind: "bad_answer", message: "answered something Outro could not read" };
        }
      }
    };

    // First each catalogue is asked about the query itself; whenever an answer comes, the idle ones
    // that found nothing yet are asked with what it taught (a Deezer link names its ISRC/UPC,
    // Odesli's links can be read by id, a title and artist can be searched) — never past the deadline.
    const busy = new Set<CatalogueId>();
    let outOfTime = false;
    await new Promise<void>((done) => {
      const pump = () => {
        outOfTime = deadline - performance.now() <= 100;
        if (!outOfTime) {
          for (const id of CATALOGUES) {
            if (busy.has(id)) continue;
            const q = nextQuestion(id);
            if (!q) continue;
            busy.add(id);
            void ask(id, q.key, q.run).finally(() => {
              busy.delete(id);
              pump();
            });
          }
        }
        if (busy.size === 0) done();
      };
      pump();
    });

    const reports: CatalogueReport[] = CATALOGUES.map((id) => {
      const p = progress.get(id)!;
      // Something was left to ask it when time ran out: the answer is partial, and says so.
      if (!p.found && !p.failure && outOfTime && nextQuestion(id)) return { catalogue: id, name: CATALOGUE_NAMES[id], status: "timeout", message: "the deadline passed before it could be asked" };
      const status = p.failure?.kind ?? (p.found ? "ok" : p.asked.size ? "no_match" : "not_asked");
      const message = p.failure?.message ?? (p.found ? null : p.asked.size ? "does not know this release" : NOT_ASKED[id]);
      return { catalogue: id, name: CATALOGUE_NAMES[id], status, message };
    });
    return mergeFindings(query, findings, reports);
  }

  /** Looks the query up in every catalogue at once; never throws for a catalogue's failure, never runs past the deadline. */
  async function lookup(query: AutofillQuery, opts: { fresh?: boolean } = {}): Promise<AutofillResult> {
    const key = queryKey(query);
    const hit = cache.get(key);
    const now = clock();
    if (!opts.fresh && hit && now - hit.at < (hit.result.partial ? PARTIAL_CACHE_MS : CACHE_MS)) return { ...hit.result, cached: true };
    // Two clicks on "Find" (or the admin and the API at once) share one round of requests.
    const running = inFlight.get(key);
    if (running && !opts.fresh) return running;
    const job = run(query).finally(() => inFlight.delete(key));
    inFlight.set(key, job);
    const result = await job;
    cache.delete(key);
    cache.set(key, { at: clock(), result });
    while (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
    return result;
  }

  return {
    lookup,
    /** Parses the pasted text (422 naming `field` when it is not a link, UPC or ISRC), then looks it up. */
    find: (raw: unknown, field = "query") => lookup(parseAutofillQuery(raw, field)),
    /** Keeps the query a link was filled from, for the release-day re-run. */
    remember: (linkId: number, query: AutofillQuery) => repo.remember(linkId, query, clock()),
    storedQuery: (linkId: number): AutofillQuery | null => {
      const row = repo.storedQuery(linkId);
      if (!row) return null;
      try {
        return parseAutofillQuery(row.value);
      } catch {
        return null;
      }
    },
  };
}
export type AutofillService = ReturnType<typeof autofillService>;
