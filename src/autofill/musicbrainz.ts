import { detectService } from "../catalog";
import type { CatalogueHttp } from "./http";
import type { Catalogue, Finding } from "./model";

// MusicBrainz web service v2 with fmt=json: /isrc/{isrc} (recordings with their releases),
// /release?query=barcode:{upc} (search) and /release/{mbid}?inc=url-rels, whose "relations"
// hold the release's streaming and download links. Its policy: at most 1 request per second
// and a User-Agent naming the application (see the limiter in service.ts).

interface ArtistCredit { name?: string; joinphrase?: string; artist?: { name?: string } }
interface MbRelease { id?: string; title?: string; "artist-credit"?: ArtistCredit[]; relations?: { url?: { resource?: string } }[] }
interface MbRecording { id?: string; title?: string; "artist-credit"?: ArtistCredit[]; releases?: MbRelease[] }

/** "A feat. B": each credited name followed by its join phrase. */
export const creditName = (credits: ArtistCredit[] | undefined) =>
  credits?.map((c) => `${c.name ?? c.artist?.name ?? ""}${c.joinphrase ?? ""}`).join("").trim() || undefined;

/** Streaming links from a release's URL relations, one per known streaming service. */
function streamingLinks(release: MbRelease | null): Finding["links"] {
  const out: Finding["links"] = [];
  for (const rel of release?.relations ?? []) {
    const url = rel.url?.resource;
    if (!url || !/^https?:\/\//.test(url)) continue;
    const service = detectService(url);
    if (service?.kind === "streaming" && !out.some((l) => l.service === service.id)) out.push({ service: service.id, url });
  }
  return out;
}

export function musicbrainzCatalogue(http: CatalogueHttp): Catalogue {
  // The second request only adds links: when it fails (or the 1 req/s limit leaves no slot), the
  // title and artist the first one gave are still worth showing.
  const release = async (mbid: string, deadline: number) => {
    try {
      return (await http.getJson(`/release/${encodeURIComponent(mbid)}`, { inc: "url-rels artist-credits", fmt: "json" }, deadline)) as MbRelease | null;
    } catch {
      return null;
    }
  };
  return {
    id: "musicbrainz",
    async byIsrc(isrc, deadline) {
      const body = (await http.getJson(`/isrc/${isrc}`, { inc: "artist-credits releases", fmt: "json" }, deadline)) as { recordings?: MbRecording[] } | null;
      const rec = body?.recordings?.[0];
      if (!rec) return null;
      const rel = rec.releases?.[0]?.id ? await release(rec.releases[0].id, deadline) : null;
      return {
        catalogue: "musicbrainz", via: "id", kind: "track", title: rec.title, artist: creditName(rec["artist-credit"]),
        links: streamingLinks(rel).map((l) => ({ ...l, via: "links" as const })),
      };
    },
    async byUpc(upc, deadline) {
      const body = (await http.getJson("/release", { query: `barcode:${upc}`, limit: "5", fmt: "json" }, deadline)) as { releases?: MbRelease[] } | null;
      const hit = body?.releases?.[0];
      if (!hit?.id) return null;
      const rel = await release(hit.id, deadline);
      return {
        catalogue: "musicbrainz", via: "id", kind: "album", title: hit.title, artist: creditName(hit["artist-credit"]),
        links: streamingLinks(rel).map((l) => ({ ...l, via: "links" as const })),
      };
    },
  };
}
