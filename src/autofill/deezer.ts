import type { CatalogueHttp } from "./http";
import { CatalogueFailure } from "./limiter";
import type { Catalogue, Finding } from "./model";
import { sameRelease } from "./itunes";

// Deezer's public API (no key): /track/{id}, /album/{id}, /track/isrc:{ISRC}, /album/upc:{UPC},
// /search and /search/album. It refuses with HTTP 200 and { "error": { type, message, code } }:
// code 800 "no data" is "not found", code 4 "Quota limit exceeded" is its rate limit.

interface DeezerArtist { name?: string }
interface DeezerAlbum { id?: number; title?: string; link?: string; upc?: string; cover_xl?: string; cover_big?: string; artist?: DeezerArtist }
interface DeezerTrack { id?: number; title?: string; link?: string; isrc?: string; artist?: DeezerArtist; album?: DeezerAlbum }
interface DeezerError { error?: { code?: number; message?: string } }

/** Reads Deezer's in-body errors: null for "no data", a failure for its quota and anything else. */
function unwrap<T>(body: unknown): T | null {
  if (body === null || typeof body !== "object") return null;
  const err = (body as DeezerError).error;
  if (err) {
    if (err.code === 800) return null;
    if (err.code === 4) throw new CatalogueFailure("rate_limited", "answered “Quota limit exceeded”");
    throw new CatalogueFailure("bad_answer", `answered an error (code ${err.code ?? "?"})`);
  }
  return body as T;
}

/** deezer.com/track/3135556, deezer.com/fr/album/302127 … (short deezer.page.link links cannot be read). */
export function deezerIdOf(url: string): { id: string; kind: "track" | "album" } | null {
  try {
    const m = /^\/(?:[a-z]{2}(?:-[a-z]{2})?\/)?(track|album)\/(\d+)\/?$/i.exec(new URL(url).pathname);
    return m ? { id: m[2]!, kind: m[1]!.toLowerCase() === "track" ? "track" : "album" } : null;
  } catch {
    return null;
  }
}

const canonical = (kind: "track" | "album", id: number | undefined, link: string | undefined) =>
  id ? `https://www.deezer.com/${kind}/${id}` : link;

function fromTrack(t: DeezerTrack | null, via: Finding["via"]): Finding | null {
  if (!t?.id) return null;
  const url = canonical("track", t.id, t.link)!;
  return {
    catalogue: "deezer", via, kind: "track", title: t.title, artist: t.artist?.name,
    artworkUrl: t.album?.cover_xl ?? t.album?.cover_big, isrc: t.isrc, links: [{ service: "deezer", url }],
  };
}

function fromAlbum(a: DeezerAlbum | null, via: Finding["via"]): Finding | null {
  if (!a?.id) return null;
  const url = canonical("album", a.id, a.link)!;
  return {
    catalogue: "deezer", via, kind: "album", title: a.title, artist: a.artist?.name,
    artworkUrl: a.cover_xl ?? a.cover_big, upc: a.upc, links: [{ service: "deezer", url }],
  };
}

export function deezerCatalogue(http: CatalogueHttp): Catalogue {
  const get = async <T>(path: string, deadline: number, params: Record<string, string> = {}) => unwrap<T>(await http.getJson(path, params, deadline));
  return {
    id: "deezer",
    reads: (url, service) => service === "deezer" && deezerIdOf(url) !== null,
    async byUrl(url, _service, deadline) {
      const ref = deezerIdOf(url);
      if (!ref) return null;
      return ref.kind === "track"
        ? fromTrack(await get<DeezerTrack>(`/track/${ref.id}`, deadline), "input")
        : fromAlbum(await get<DeezerAlbum>(`/album/${ref.id}`, deadline), "input");
    },
    async byUpc(upc, deadline) {
      const found = fromAlbum(await get<DeezerAlbum>(`/album/upc:${upc}`, deadline), "id");
      if (found) return found;
      // Deezer keeps some UPC-A codes as 13-digit EANs and the other way round.
      const alt = upc.length === 12 ? `0${upc}` : upc.length === 13 && upc.startsWith("0") ? upc.slice(1) : null;
      return alt ? fromAlbum(await get<DeezerAlbum>(`/album/upc:${alt}`, deadline), "id") : null;
    },
    byIsrc: async (isrc, deadline) => fromTrack(await get<DeezerTrack>(`/track/isrc:${isrc}`, deadline), "id"),
    async search(title, artist, kind, deadline) {
      const quote = (s: string) => `"${s.replaceAll('"', " ")}"`;
      if (kind === "track") {
        const body = await get<{ data?: DeezerTrack[] }>("/search", deadline, { q: `artist:${quote(artist)} track:${quote(title)}`, limit: "5" });
        return fromTrack(body?.data?.find((t) => sameRelease({ title: t.title, artist: t.artist?.name }, title, artist)) ?? null, "search");
      }
      const body = await get<{ data?: DeezerAlbum[] }>("/search/album", deadline, { q: `artist:${quote(artist)} album:${quote(title)}`, limit: "5" });
      return fromAlbum(body?.data?.find((a) => sameRelease({ title: a.title, artist: a.artist?.name }, title, artist)) ?? null, "search");
    },
  };
}
