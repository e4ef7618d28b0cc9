import type { AutofillQuery } from "./query";
import type { FailureKind } from "./limiter";

export const CATALOGUES = ["itunes", "deezer", "musicbrainz", "odesli"] as const;
export type CatalogueId = (typeof CATALOGUES)[number];

export const CATALOGUE_NAMES: Record<CatalogueId, string> = {
  itunes: "iTunes / Apple Music",
  deezer: "Deezer",
  musicbrainz: "MusicBrainz",
  odesli: "Odesli (song.link)",
};

/**
 * How a catalogue found what it says: the pasted link itself, an exact id look-up (ISRC, UPC,
 * the service's own id), cross-links from an exact match (Odesli, MusicBrainz URL relations),
 * or a title/artist search — from most to least sure.
 */
export type Via = "input" | "id" | "links" | "search";

export const VIA_SCORE: Record<Via, number> = { input: 1, id: 0.9, links: 0.8, search: 0.5 };

/** One catalogue's answer about the release. */
export interface Finding {
  catalogue: CatalogueId;
  via: Via;
  kind: "track" | "album" | null;
  title?: string;
  artist?: string;
  artworkUrl?: string;
  isrc?: string;
  upc?: string;
  /** Destinations it knows, by catalog service id; `via` overrides the finding's own for one link. */
  links: { service: string; url: string; via?: Via }[];
}

/** What one catalogue is asked; each method is optional, `reads` says whether it can read a pasted link. */
export interface Catalogue {
  id: CatalogueId;
  reads?(url: string, service: string): boolean;
  byUrl?(url: string, service: string, deadline: number): Promise<Finding | null>;
  byUpc?(upc: string, deadline: number): Promise<Finding | null>;
  byIsrc?(isrc: string, deadline: number): Promise<Finding | null>;
  search?(title: string, artist: string, kind: "track" | "album" | null, deadline: number): Promise<Finding | null>;
}

export type Level = "high" | "medium" | "low";

export interface Source {
  /** "pasted" is the link the artist gave: it is a destination too. */
  catalogue: CatalogueId | "pasted";
  via: Via;
}

/** A proposed destination for one service. */
export interface Candidate {
  service: string;
  serviceName: string;
  url: string;
  /** 0–1: an exact look-up is high, a search lower, each further catalogue agreeing raises it. */
  confidence: number;
  level: Level;
  sources: Source[];
  /** Another candidate for the same service points elsewhere: the artist picks, nothing is merged. */
  conflict: boolean;
}

/** The title, artist or artwork the catalogues suggest, with what else they said. */
export interface FieldMatch {
  value: string;
  confidence: number;
  level: Level;
  sources: CatalogueId[];
  /** Different values other catalogues gave (a conflict), best first. */
  alternatives: { value: string; sources: CatalogueId[] }[];
}

export type CatalogueStatus = "ok" | "no_match" | "not_asked" | FailureKind;

export interface CatalogueReport {
  catalogue: CatalogueId;
  name: string;
  status: CatalogueStatus;
  message: string | null;
}

export interface AutofillResult {
  query: AutofillQuery;
  title: FieldMatch | null;
  artist: FieldMatch | null;
  artworkUrl: FieldMatch | null;
  /** Best first within each service; services ordered by their best candidate. */
  destinations: Candidate[];
  catalogues: CatalogueReport[];
  /** True when a catalogue failed, timed out or was rate limited: the answer may lack services. */
  partial: boolean;
  /** True when this answer came from the short-lived cache. */
  cached: boolean;
}

export const levelOf = (confidence: number): Level => (confidence >= 0.8 ? "high" : confidence >= 0.6 ? "medium" : "low");
