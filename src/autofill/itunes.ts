import { detectService } from "../catalog";
import type { CatalogueHttp } from "./http";
import type { Catalogue, Finding } from "./model";

// The iTunes Search API: /lookup (id=, upc=; isrc= works though Apple documents only the others) and /search.
// Answers are { resultCount, results: [...] } with wrapperType "collection" (an album) or "track".

interface ItunesItem {
  wrapperType?: string;
  kind?: string;
  collectionName?: string;
  trackName?: string;
  artistName?: string;
  collectionViewUrl?: string;
  trackViewUrl?: string;
  artworkUrl100?: string;
}

/** "Night Drive - Single" is the album "Night Drive": the store's suffix is not part of the title. */
export const storeTitle = (name: string) => name.replace(/\s+-\s+(Single|EP)$/i, "");

/** The store links carry affiliate noise (`uo=4`); the song id `i=` is the only parameter that matters. */
function cleanStoreUrl(raw: string): string {
  try {
    const u = new URL(raw);
    const i = u.searchParams.get("i");
    u.search = i ? `?i=${i}` : "";
    return u.toString();
  } catch {
    return raw;
  }
}

/** Apple serves any size from the same path: ask for 1000 px instead of the 100 px thumbnail. */
const bigArtwork = (url: string | undefined) => url?.replace(/\/\d+x\d+(bb)?\.(jpg|png|webp)$/, "/1000x1000bb.$2");

/** The store id in an Apple Music / iTunes link: the song's `?i=` if present, else the album's. */
export function appleIdOf(url: string): { id: string; kind: "track" | "album" } | null {
  try {
    const u = new URL(url);
    const song = u.searchParams.get("i");
    if (song && /^\d+$/.test(song)) return { id: song, kind: "track" };
    const m = /\/(album|song)\/(?:[^/]+\/)?(?:id)?(\d+)\/?$/.exec(u.pathname);
    return m ? { id: m[2]!, kind: m[1] === "song" ? "track" : "album" } : null;
  } catch {
    return null;
  }
}

function finding(item: ItunesItem | undefined, via: Finding["via"]): Finding | null {
  if (!item) return null;
  const isTrack = item.wrapperType === "track";
  const url = isTrack ? item.trackViewUrl : item.collectionViewUrl;
  const title = isTrack ? item.trackName : item.collectionName && storeTitle(item.collectionName);
  if (!title && !url) return null;
  const service = url ? detectService(url)?.id : undefined;
  return {
    catalogue: "itunes", via, kind: isTrack ? "track" : "album",
    title, artist: item.artistName, artworkUrl: bigArtwork(item.artworkUrl100),
    links: url && service === "apple-music" ? [{ service, url: cleanStoreUrl(url) }] : [],
  };
}

const results = (body: unknown): ItunesItem[] => {
  const r = (body as { results?: unknown } | null)?.results;
  return Array.isArray(r) ? (r as ItunesItem[]) : [];
};

const loose = (s: string) => s.toLowerCase().normalize("NFKD").replace(/[^\p{L}\p{N}]+/gu, " ").trim();
/** A search hit counts only when it names the same artist and title, loosely compared. */
export const sameRelease = (a: { title?: string; artist?: string }, title: string, artist: string) =>
  !!a.title && loose(storeTitle(a.title)).includes(loose(title)) && (!artist || (!!a.artist && loose(a.artist).includes(loose(artist))));

export function itunesCatalogue(http: CatalogueHttp, country: string): Catalogue {
  const lookup = async (params: Record<string, string>, deadline: number, want: "track" | "collection") => {
    const items = results(await http.getJson("/lookup", { ...params, country }, deadline));
    return finding(items.find((i) => i.wrapperType === want) ?? items[0], "id");
  };
  return {
    id: "itunes",
    reads: (_url, service) => service === "apple-music" && appleIdOf(_url) !== null,
    async byUrl(url, _service, deadline) {
      const ref = appleIdOf(url);
      if (!ref) return null;
      const found = await lookup({ id: ref.id }, deadline, ref.kind === "track" ? "track" : "collection");
      return found && { ...found, via: "input" };
    },
    byUpc: (upc, deadline) => lookup({ upc }, deadline, "collection"),
    byIsrc: (isrc, deadline) => lookup({ isrc }, deadline, "track"),
    async search(title, artist, kind, deadline) {
      const entity = kind === "track" ? "song" : "album";
      const items = results(await http.getJson("/search", { term: `${artist} ${title}`.trim(), media: "music", entity, limit: "5", country }, deadline));
      const hit = items.find((i) => sameRelease({ title: i.trackName ?? i.collectionName, artist: i.artistName }, title, artist));
      return finding(hit, "search");
    },
  };
}
