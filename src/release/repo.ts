import type { Database } from "bun:sqlite";
import type { Destination, Link } from "../links/model";

/** A link's release moment as stored (see migration 008). */
export interface ReleaseRow {
  releaseDate: string;
  releaseTime: string;
  releaseTimeZone: string;
  releaseAt: number;
  releasedAt: number | null;
  refilledAt: number | null;
}

/** What a link keeps of its release (the fields are described on Link). */
export type ReleaseFields = Pick<Link, "releaseDate" | "releaseTime" | "releaseTimeZone" | "releaseAt" | "releasedAt" | "presaves">;

const NONE = { releaseDate: null, releaseTime: null, releaseTimeZone: null, releaseAt: null, releasedAt: null };

/** The release moment and pre-save links of a link: read with it, written in its transaction. */
export function releaseRepo(db: Database) {
  const scheduleOf = db.query<ReleaseRow, { linkId: number }>(
    `SELECT local_date AS releaseDate, local_time AS releaseTime, time_zone AS releaseTimeZone, release_at AS releaseAt,
       released_at AS releasedAt, refilled_at AS refilledAt FROM link_releases WHERE link_id = $linkId`);
  const upsert = db.query<null, { linkId: number; date: string; time: string; zone: string; at: number; releasedAt: number | null }>(
    `INSERT INTO link_releases (link_id, local_date, local_time, time_zone, release_at, released_at, refilled_at)
     VALUES ($linkId, $date, $time, $zone, $at, $releasedAt, NULL)
     ON CONFLICT (link_id) DO UPDATE SET local_date = excluded.local_date, local_time = excluded.local_time,
       time_zone = excluded.time_zone, release_at = excluded.release_at, released_at = excluded.released_at,
       refilled_at = CASE WHEN excluded.released_at IS NULL THEN NULL ELSE link_releases.refilled_at END`);
  const clear = db.query<null, { linkId: number }>("DELETE FROM link_releases WHERE link_id = $linkId");
  const presavesOf = db.query<{ key: string; url: string; service: string | null; label: string }, { linkId: number }>(
    "SELECT key, url, service, label FROM presave_links WHERE link_id = $linkId ORDER BY position");
  const clearPresaves = db.query<null, { linkId: number }>("DELETE FROM presave_links WHERE link_id = $linkId");
  const insertPresave = db.query<null, { linkId: number; position: number; key: string; service: string | null; label: string; url: string }>(
    "INSERT INTO presave_links (link_id, position, key, service, label, url) VALUES ($linkId, $position, $key, $service, $label, $url)");

  return {
    /** The release fields of a link, for hydrating it. */
    of(linkId: number): ReleaseFields {
      const row = scheduleOf.get({ linkId });
      const presaves: Destination[] = presavesOf.all({ linkId }).map((p) => ({ ...p, countryUrls: null, hiddenIn: null }));
      if (!row) return { ...NONE, presaves };
      const { refilledAt: _, ...fields } = row;
      return { ...fields, presaves };
    },
    /** Called inside the link's create/update transaction. */
    save(linkId: number, f: ReleaseFields) {
      if (f.releaseDate && f.releaseTime && f.releaseTimeZone && f.releaseAt !== null) {
        upsert.run({ linkId, date: f.releaseDate, time: f.releaseTime, zone: f.releaseTimeZone, at: f.releaseAt, releasedAt: f.releasedAt });
      } else {
        clear.run({ linkId });
      }
      clearPresaves.run({ linkId });
      f.presaves.forEach((p, position) =>
        insertPresave.run({ linkId, position, key: p.key, service: p.service, label: p.label ?? p.key, url: p.url }));
    },
  };
}
