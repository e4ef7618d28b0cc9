import type { SimpleIcon } from "simple-icons";

export type CatalogKind = "streaming" | "social";

export interface CatalogEntry {
  /** Stable kebab-case id; stored with destinations, so it never changes once shipped. */
  id: string;
  name: string;
  kind: CatalogKind;
  /** Brand colour as "#rrggbb". */
  color: string;
  /**
   * Patterns that recognise a pasted URL, matched case-insensitively with "www." ignored:
   * "open.spotify.com" is that host exactly, "*.spotify.com" any of its subdomains (not the
   * domain itself), and "amazon.de/music" the host when the path is /music or below it.
   */
  hosts: string[];
  /** Verb for the button ("Play", "Watch", "Buy", "Follow"…). */
  action?: string;
}

/** How an entry is written in the data files: its brand icon, or a colour when Simple Icons lacks the brand. */
export type EntryDef = Omit<CatalogEntry, "kind" | "color"> & ({ brand: SimpleIcon } | { color: string });

export interface EntrySet {
  entries: readonly CatalogEntry[];
  /** Simple Icons path data by entry id, only for the brands Simple Icons has. */
  brandPaths: ReadonlyMap<string, string>;
}

/** Turns data-file definitions into frozen entries, so no caller can change the shared catalog. */
export function defineEntries(kind: CatalogKind, defs: EntryDef[]): EntrySet {
  const brandPaths = new Map<string, string>();
  const entries = defs.map((def) => {
    const color = "brand" in def ? `#${def.brand.hex.toLowerCase()}` : def.color;
    if ("brand" in def) brandPaths.set(def.id, def.brand.path);
    const entry: CatalogEntry = { id: def.id, name: def.name, kind, color, hosts: Object.freeze([...def.hosts]) as string[] };
    if (def.action) entry.action = def.action;
    return Object.freeze(entry);
  });
  return { entries: Object.freeze(entries), brandPaths };
}
