import type { Database } from "bun:sqlite";

/** A raw click-out as the CSV export writes it (column names as in the clicks table). */
export type ClickRow = {
  id: number; ts: number; slug: string | null; dest_key: string; kind: string; device: string; os: string | null; app: string | null;
  country: string | null; referrer: string | null; utm_source: string | null; utm_medium: string | null; utm_campaign: string | null;
  utm_content: string | null; utm_term: string | null;
};

/** Reads raw clicks for the export; unlike statsRepo it touches raw rows, so only a download uses it. */
export function clickExportRepo(db: Database) {
  const page = db.query<ClickRow, [number, number, number, number | null, number]>(
    `SELECT c.id, c.ts, l.slug, c.dest_key, c.kind, c.device, c.os, c.app, c.country, c.referrer,
            c.utm_source, c.utm_medium, c.utm_campaign, c.utm_content, c.utm_term
     FROM clicks c LEFT JOIN links l ON l.id = c.link_id
     WHERE c.id > ?1 AND c.ts >= ?2 AND c.ts < ?3 AND (?4 IS NULL OR c.link_id = ?4)
     ORDER BY c.id LIMIT ?5`);
  return {
    /** Up to `limit` clicks after id `after` with from <= ts < to, of one link or (null) all; keyset paging by id. */
    page: (after: number, from: number, to: number, linkId: number | null, limit: number) => page.all(after, from, to, linkId, limit),
  };
}
export type ClickExportRepo = ReturnType<typeof clickExportRepo>;
