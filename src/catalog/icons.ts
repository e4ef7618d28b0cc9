import { GLOBE, LINK, MERCH, MUSIC_NOTE, TICKET } from "./generic-icons";
import type { CatalogEntry } from "./model";

interface Glyph {
  title: string;
  path: string;
  color: string;
}

export interface InlineIconOptions {
  size?: number;
  fill?: string;
  className?: string;
}

// Generic destinations are drawn in a near-black that reads on the white icon tiles of the pages.
const GENERIC_COLOR = "#1b1e25";
const GENERIC: Record<string, Glyph> = {
  link: { title: "Link", path: LINK, color: GENERIC_COLOR },
  merch: { title: "Merch", path: MERCH, color: GENERIC_COLOR },
  tickets: { title: "Tickets", path: TICKET, color: GENERIC_COLOR },
  website: { title: "Website", path: GLOBE, color: GENERIC_COLOR },
};

// The fill lands inside markup, so only plain colour tokens pass; anything else falls back to the default.
const SAFE_FILL = /^(#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})|[a-z]+|var\(--[a-z0-9-]+\))$/i;

const escapeAttr = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Builds the id → glyph table once, so rendering an icon is a Map read and a string template. */
export function iconRenderer(entries: readonly CatalogEntry[], brandPaths: ReadonlyMap<string, string>) {
  const glyphs = new Map<string, Glyph>(Object.entries(GENERIC));
  for (const entry of entries) {
    const path = brandPaths.get(entry.id) ?? (entry.kind === "streaming" ? MUSIC_NOTE : LINK);
    glyphs.set(entry.id, { title: entry.name, path, color: entry.color });
  }
  const glyphFor = (id: string) => glyphs.get(id) ?? GENERIC.link;
  const fillFor = (glyph: Glyph, fill?: string) => (fill && SAFE_FILL.test(fill) ? fill : glyph.color);
  const pathTag = (glyph: Glyph, fill?: string) => `<path fill="${fillFor(glyph, fill)}" d="${glyph.path}"/>`;

  const standalone = (glyph: Glyph, fill?: string) =>
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="24" height="24" role="img">` +
    `<title>${escapeAttr(glyph.title)}</title>${pathTag(glyph, fill)}</svg>`;
  // The default-colour documents are what the asset route serves, so they are built up front.
  const defaults = new Map([...glyphs].map(([id, glyph]) => [id, standalone(glyph)]));

  return {
    iconSvg(id: string, fill?: string): string {
      if (fill === undefined) {
        const ready = defaults.get(id);
        if (ready) return ready;
      }
      return standalone(glyphFor(id), fill);
    },
    inlineIcon(id: string, opts: InlineIconOptions = {}): string {
      const size = opts.size !== undefined && Number.isFinite(opts.size) && opts.size > 0 ? opts.size : 24;
      const className = escapeAttr(opts.className ?? "icon");
      return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="${size}" height="${size}" ` +
        `class="${className}" aria-hidden="true" focusable="false">${pathTag(glyphFor(id), opts.fill)}</svg>`;
    },
  };
}
