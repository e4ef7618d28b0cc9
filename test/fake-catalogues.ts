// Stand-ins for the four keyless catalogues auto-fill asks: real HTTP servers on 127.0.0.1 that
// answer in each API's own shapes (iTunes Search API, Deezer's public API, MusicBrainz ws/2 JSON,
// Odesli v1-alpha.1) from a list of releases, and record every request with its arrival time.

export interface FakeRelease {
  title: string;
  artist: string;
  kind: "album" | "track";
  upc?: string;
  isrc?: string;
  itunesId?: number;
  deezerId?: number;
  mbid?: string;
  spotifyUrl?: string;
  tidalUrl?: string;
  youtubeMusicUrl?: string;
  artwork?: string;
}

export type CatalogueName = "itunes" | "deezer" | "musicbrainz" | "odesli";

/** How a fake answers: normally, HTTP 500, never (until stopped), or its own throttling answer. */
export type Behaviour = "ok" | "down" | "hang" | "throttle";

export interface FakeRequest {
  path: string;
  params: URLSearchParams;
  userAgent: string | null;
  /** Arrival at the fake, in ms (performance.now of this process). */
  at: number;
}

export interface FakeCatalogue {
  url: string;
  requests: FakeRequest[];
  releases: FakeRelease[];
  behaviour: Behaviour;
}

export interface FakeCatalogues {
  itunes: FakeCatalogue;
  deezer: FakeCatalogue;
  musicbrainz: FakeCatalogue;
  odesli: FakeCatalogue;
  /** The env that points an app at these fakes (short timeouts so a hanging fake costs little). */
  env: Record<string, string>;
  stop(): Promise<void>;
}

const slugOf = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");

export const appleUrl = (r: FakeRelease) =>
  r.kind === "album"
    ? `https://music.apple.com/us/album/${slugOf(r.title)}/${r.itunesId}`
    : `https://music.apple.com/us/album/${slugOf(r.title)}/${r.itunesId! + 1}?i=${r.itunesId}`;
export const deezerUrl = (r: FakeRelease) => `https://www.deezer.com/${r.kind}/${r.deezerId}`;
const artworkOf = (r: FakeRelease, size: number) => r.artwork ?? `https://is1-ssl.mzstatic.com/image/thumb/Music/${slugOf(r.title)}/${size}x${size}bb.jpg`;

const json = (body: unknown, status = 200) => Response.json(body, { status });

function itunes(path: string, p: URLSearchParams, releases: FakeRelease[]): Response {
  const item = (r: FakeRelease) =>
    r.kind === "album"
      ? { wrapperType: "collection", collectionType: "Album", collectionId: r.itunesId, collectionName: `${r.title} - Single`, artistName: r.artist,
          collectionViewUrl: `${appleUrl(r)}?uo=4`, artworkUrl100: artworkOf(r, 100), country: "USA" }
      : { wrapperType: "track", kind: "song", trackId: r.itunesId, collectionId: r.itunesId! + 1, trackName: r.title, collectionName: `${r.title} - Single`,
          artistName: r.artist, trackViewUrl: `${appleUrl(r)}&uo=4`, collectionViewUrl: `${appleUrl(r)}&uo=4`, artworkUrl100: artworkOf(r, 100) };
  const withApple = releases.filter((r) => r.itunesId);
  let hits: FakeRelease[] = [];
  if (path === "/lookup") {
    if (p.get("upc")) hits = withApple.filter((r) => r.upc === p.get("upc"));
    else if (p.get("isrc")) hits = withApple.filter((r) => r.isrc === p.get("isrc"));
    else if (p.get("id")) hits = withApple.filter((r) => String(r.itunesId) === p.get("id"));
    else return json({ errorMessage: "Invalid value(s) for key(s): [id]", queryParameters: {} }, 400);
  } else if (path === "/search") {
    const term = (p.get("term") ?? "").toLowerCase();
    const want = p.get("entity") === "song" ? "track" : "album";
    hits = withApple.filter((r) => r.kind === want && term.includes(r.title.toLowerCase()));
  } else return new Response("Not Found", { status: 404 });
  return json({ resultCount: hits.length, results: hits.map(item) });
}

function deezer(path: string, p: URLSearchParams, releases: FakeRelease[], behaviour: Behaviour): Response {
  if (behaviour === "throttle") return json({ error: { type: "Exception", message: "Quota limit exceeded", code: 4 } });
  const noData = json({ error: { type: "DataException", message: "no data", code: 800 } });
  const withDeezer = releases.filter((r) => r.deezerId);
  const album = (r: FakeRelease) => ({ id: r.deezerId, title: r.title, upc: r.upc, link: deezerUrl(r), cover_xl: r.artwork ?? `https://e-cdns-images.dzcdn.net/images/cover/${r.deezerId}/1000x1000-000000-80-0-0.jpg`, artist: { id: 1, name: r.artist }, type: "album" });
  const track = (r: FakeRelease) => ({ id: r.deezerId, title: r.title, isrc: r.isrc, link: deezerUrl(r), artist: { id: 1, name: r.artist }, album: { id: r.deezerId! + 1, title: r.title, cover_xl: r.artwork ?? `https://e-cdns-images.dzcdn.net/images/cover/${r.deezerId}/1000x1000-000000-80-0-0.jpg` }, type: "track" });
  let m: RegExpExecArray | null;
  if ((m = /^\/track\/isrc:(\w+)$/.exec(path))) { const r = withDeezer.find((x) => x.kind === "track" && x.isrc === m![1]); return r ? json(track(r)) : noData; }
  if ((m = /^\/album\/upc:(\d+)$/.exec(path))) { const r = withDeezer.find((x) => x.kind === "album" && x.upc === m![1]); return r ? json(album(r)) : noData; }
  if ((m = /^\/(track|album)\/(\d+)$/.exec(path))) {
    const r = withDeezer.find((x) => x.kind === m![1] && String(x.deezerId) === m![2]);
    return r ? json(r.kind === "album" ? album(r) : track(r)) : noData;
  }
  if (path === "/search" || path === "/search/album") {
    const q = (p.get("q") ?? "").toLowerCase();
    const want = path === "/search" ? "track" : "album";
    const hits = withDeezer.filter((r) => r.kind === want && q.includes(r.title.toLowerCase()));
    return json({ data: hits.map((r) => (want === "album" ? album(r) : track(r))), total: hits.length });
  }
  return noData;
}

function musicbrainz(path: string, p: URLSearchParams, releases: FakeRelease[]): Response {
  const notFound = json({ error: "Not Found", help: "For usage, please see: https://musicbrainz.org/development/mmd" }, 404);
  if (p.get("fmt") !== "json") return new Response("<?xml version=\"1.0\"?><metadata/>", { headers: { "content-type": "application/xml" } });
  const withMb = releases.filter((r) => r.mbid);
  const credit = (r: FakeRelease) => [{ name: r.artist, joinphrase: "", artist: { id: "a-1", name: r.artist } }];
  let m: RegExpExecArray | null;
  if ((m = /^\/isrc\/(\w+)$/.exec(path))) {
    const hits = withMb.filter((r) => r.kind === "track" && r.isrc === m![1]);
    if (!hits.length) return notFound;
    return json({ isrc: m[1], recordings: hits.map((r) => ({ id: `rec-${r.mbid}`, title: r.title, length: 201000, "artist-credit": credit(r), releases: [{ id: r.mbid, title: r.title, status: "Official" }] })) });
  }
  if (path === "/release") {
    const code = /barcode:(\d+)/.exec(p.get("query") ?? "")?.[1];
    const hits = withMb.filter((r) => r.kind === "album" && r.upc === code);
    return json({ created: "2026-12-02T00:00:00.000Z", count: hits.length, offset: 0, releases: hits.map((r) => ({ id: r.mbid, score: 100, title: r.title, barcode: r.upc, "artist-credit": credit(r) })) });
  }
  if ((m = /^\/release\/([\w-]+)$/.exec(path))) {
    const r = withMb.find((x) => x.mbid === m![1]);
    if (!r) return notFound;
    const urls = [r.spotifyUrl, r.tidalUrl, r.deezerId ? deezerUrl(r) : undefined, "https://babbage.example/shop"].filter(Boolean) as string[];
    return json({ id: r.mbid, title: r.title, barcode: r.upc ?? null, "artist-credit": credit(r), relations: urls.map((u) => ({ type: "free streaming", "target-type": "url", url: { id: `u-${u.length}`, resource: u } })) });
  }
  return notFound;
}

const bare = (u: string) => u.replace(/^https?:\/\/(www\.)?/, "").replace(/[?#].*$/, "").replace(/\/+$/, "").toLowerCase();

function odesli(p: URLSearchParams, releases: FakeRelease[]): Response {
  const asked = bare(p.get("url") ?? "");
  const urlsOf = (r: FakeRelease) => ({
    spotify: r.spotifyUrl, appleMusic: r.itunesId ? appleUrl(r) : undefined, itunes: r.itunesId ? appleUrl(r).replace("music.apple.com", "geo.itunes.apple.com") : undefined,
    deezer: r.deezerId ? deezerUrl(r) : undefined, tidal: r.tidalUrl, youtubeMusic: r.youtubeMusicUrl,
    amazonStore: `https://amazon.com/dp/B0${r.deezerId ?? 0}`,
  });
  const r = releases.find((x) => Object.values(urlsOf(x)).some((u) => u && bare(u) === asked));
  if (!r) return json({ statusCode: 400, code: "could_not_resolve_entity" }, 400);
  const type = r.kind === "album" ? "ALBUM" : "SONG";
  const entityId = `SPOTIFY_${type}::${r.title.length}`;
  const linksByPlatform: Record<string, { url: string; entityUniqueId: string }> = {};
  for (const [platform, url] of Object.entries(urlsOf(r))) if (url) linksByPlatform[platform] = { url, entityUniqueId: entityId };
  return json({
    entityUniqueId: entityId, userCountry: p.get("userCountry") ?? "US", pageUrl: `https://song.link/s/${r.title.length}`,
    entitiesByUniqueId: { [entityId]: { id: String(r.title.length), type: r.kind === "album" ? "album" : "song", title: r.title, artistName: r.artist, thumbnailUrl: `https://i.scdn.co/image/${slugOf(r.title)}`, thumbnailWidth: 640, thumbnailHeight: 640, apiProvider: "spotify", platforms: ["spotify"] } },
    linksByPlatform,
  });
}

export async function startFakeCatalogues(releases: FakeRelease[], per: Partial<Record<CatalogueName, FakeRelease[]>> = {}): Promise<FakeCatalogues> {
  const hanging = new Set<() => void>();
  const servers: ReturnType<typeof Bun.serve>[] = [];
  const start = (name: CatalogueName): FakeCatalogue => {
    const state: FakeCatalogue = { url: "", requests: [], releases: per[name] ?? releases, behaviour: "ok" };
    const server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: async (req) => {
        const u = new URL(req.url);
        const prefix = name === "musicbrainz" ? "/ws/2" : name === "odesli" ? "/v1-alpha.1" : "";
        const path = u.pathname.startsWith(prefix) ? u.pathname.slice(prefix.length) : u.pathname;
        state.requests.push({ path, params: u.searchParams, userAgent: req.headers.get("user-agent"), at: performance.now() });
        if (state.behaviour === "hang") {
          await new Promise<void>((resolve) => { hanging.add(resolve); setTimeout(resolve, 30_000); });
          return new Response("late", { status: 504 });
        }
        if (state.behaviour === "down") return new Response("<html>502 Bad Gateway</html>", { status: 502 });
        if (state.behaviour === "throttle" && name !== "deezer") return new Response("slow down", { status: 429 });
        if (name === "itunes") return itunes(path, u.searchParams, state.releases);
        if (name === "deezer") return deezer(path, u.searchParams, state.releases, state.behaviour);
        if (name === "musicbrainz") return musicbrainz(path, u.searchParams, state.releases);
        return path === "/links" ? odesli(u.searchParams, state.releases) : new Response("Not Found", { status: 404 });
      },
    });
    servers.push(server);
    state.url = `http://127.0.0.1:${server.port}`;
    return state;
  };
  const fakes = { itunes: start("itunes"), deezer: start("deezer"), musicbrainz: start("musicbrainz"), odesli: start("odesli") };
  return {
    ...fakes,
    env: {
      ITUNES_API_URL: fakes.itunes.url,
      DEEZER_API_URL: fakes.deezer.url,
      MUSICBRAINZ_API_URL: `${fakes.musicbrainz.url}/ws/2`,
      ODESLI_API_URL: `${fakes.odesli.url}/v1-alpha.1`,
      AUTOFILL_TIMEOUT_MS: "400",
      AUTOFILL_DEADLINE_MS: "3000",
    },
    async stop() {
      for (const wake of hanging) wake();
      await Promise.all(servers.map((s) => s.stop(true)));
    },
  };
}

/** A valid GTIN check digit appended to the first digits. */
export function withCheckDigit(payload: string): string {
  const sum = [...payload].reverse().reduce((s, d, i) => s + Number(d) * (i % 2 === 0 ? 3 : 1), 0);
  return payload + String((10 - (sum % 10)) % 10);
}

export const NIGHT_DRIVE_ALBUM: FakeRelease = {
  title: "Night Drive", artist: "Babbage", kind: "album", upc: withCheckDigit("60244579098"),
  itunesId: 1700000001, deezerId: 500001, mbid: "0f6b7b7e-1111-4c1a-9e0b-000000000001",
  spotifyUrl: "https://open.spotify.com/album/4aawyAB9vmqN3uQ7FjRGTy", tidalUrl: "https://tidal.com/browse/album/310000001",
  youtubeMusicUrl: "https://music.youtube.com/playlist?list=OLAK5uy_night-drive",
};

export const NIGHT_DRIVE_TRACK: FakeRelease = {
  title: "Night Drive", artist: "Babbage", kind: "track", isrc: "GBABC2600001",
  itunesId: 1700000101, deezerId: 700001, mbid: "0f6b7b7e-2222-4c1a-9e0b-000000000002",
  spotifyUrl: "https://open.spotify.com/track/6rqhFgbbKwnb9MLmUQDhG6", tidalUrl: "https://tidal.com/browse/track/310000101",
};
