// Hand-drawn 24x24 glyphs for destinations without a brand mark. Each is one path under the
// default non-zero fill rule: holes are sub-paths wound against their outline.

/** A single note, for streaming services Simple Icons does not carry. */
export const MUSIC_NOTE = "M11 3h8v4h-6v10a4 4 0 1 1-2-3.46z";

/** Two half-links joined by a bar. */
export const LINK = "M9 7H7a5 5 0 0 0 0 10h2v-2H7a3 3 0 0 1 0-6h2zM15 7h2a5 5 0 0 1 0 10h-2v-2h2a3 3 0 0 0 0-6h-2zM8 13h8v-2H8z";

/** A shopping bag. */
export const MERCH = "M5 8h14l-1 13H6zM9 8V7a3 3 0 0 1 6 0v1h-2V7a1 1 0 0 0-2 0v1z";

/** A ticket with notched sides and a perforation. */
export const TICKET = "M3 6h18v4a2 2 0 0 0 0 4v4H3v-4a2 2 0 0 0 0-4zM14 7.5v2h1.5v-2zM14 11v2h1.5v-2zM14 14.5v2h1.5v-2z";

/** A globe: rim, equator and one meridian. */
export const GLOBE =
  "M12 2a10 10 0 0 0 0 20a10 10 0 0 0 0-20zM12 4a8 8 0 0 1 0 16a8 8 0 0 1 0-16z" +
  "M12 2a4 10 0 0 0 0 20a4 10 0 0 0 0-20zM12 4a2 8 0 0 1 0 16a2 8 0 0 1 0-16zM3 13h18v-2H3z";
