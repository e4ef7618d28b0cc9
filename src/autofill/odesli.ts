import { catalogEntry, detectService } from "../catalog";
import type { CatalogueHttp } from "./http";
import type { Catalogue, Finding } from "./model";

// Odesli (song.link): GET /links?url=<any streaming link>&userCountry=US answers
// { entityUniqueId, linksByPlatform: { spotify: { url, entityUniqueId }, appleMusic: … },
//   entitiesByUniqueId: { "SPOTIFY_SONG::…": { type, title, artistName, thumbnailUrl } } }.
// It reads links only (no UPC/ISRC); without a key it allows about 10 requests a minute.

interface OdesliEntity { type?: string; title?: string; artistName?: string; thumbnailUrl?: string }
interface OdesliAnswer {
  entityUniqueId?: string;
  linksByPlatform?: Record<string, { url?: string; entityUniqueId?: string }>;
  entitiesByUniqueId?: Record<string, OdesliEntity>;
}

/** Odesli's platform names → Outro's catalog ids; store platforms (itunes, amazonStore, google…) are purchases, not streams. */
const PLATFORMS: Record<string, string> = {
  spotify: "spotify", appleMusic: "apple-music", youtube: "youtube", youtubeMusic: "youtube-music", deezer: "deezer",
  tidal: "tidal", amazonMusic: "amazon-music", soundcloud: "soundcloud", napster: "napster", pandora: "pandora",
  yandex: "yandex-music", audiomack: "audiomack", anghami: "anghami", boomplay: "boomplay", audius: "audius", bandcamp: "bandcamp",
};

export function odesliCatalogue(http: CatalogueHttp, country: string): Catalogue {
  return {
    id: "odesli",
    reads: () => true,
    async byUrl(url, _service, deadline) {
      const body = (await http.getJson("/links", { url, userCountry: country.toUpperCase() }, deadline)) as OdesliAnswer | null;
      if (!body?.linksByPlatform) return null;
      const entity = body.entityUniqueId ? body.entitiesByUniqueId?.[body.entityUniqueId] : undefined;
      const links: Finding["links"] = [];
      for (const [platform, link] of Object.entries(body.linksByPlatform)) {
        const service = PLATFORMS[platform];
        if (!service || !link?.url || !/^https?:\/\//.test(link.url) || !catalogEntry(service)) continue;
        // Trust the URL over the platform name when they disagree (a renamed platform, a store link).
        const detected = detectService(link.url)?.id;
        if (detected && detected !== service) continue;
        if (!links.some((l) => l.service === service)) links.push({ service, url: link.url });
      }
      return {
        catalogue: "odesli", via: "links", kind: entity?.type === "album" ? "album" : entity?.type === "song" ? "track" : null,
        title: entity?.title, artist: entity?.artistName, artworkUrl: entity?.thumbnailUrl, links,
      };
    },
  };
}
