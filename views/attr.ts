/**
 * Kita escapes only `"` in attribute values; user text there (a title in og:title, an artist in
 * an alt text) is escaped in full, so no raw markup ever appears in a page. Kita leaves the
 * entities alone, so nothing is escaped twice.
 */
export const attr = (value: string): string => Bun.escapeHTML(value);
