import type { Database } from "bun:sqlite";
import type { AutofillQuery } from "./query";

/** The query each link was last auto-filled from; read back by the release-day re-run. */
export function autofillRepo(db: Database) {
  const byLink = db.query<{ kind: "url" | "upc" | "isrc"; value: string }, { linkId: number }>(
    "SELECT kind, value FROM link_autofill WHERE link_id = $linkId");
  const upsert = db.query<null, { linkId: number; kind: string; value: string; now: number }>(
    `INSERT INTO link_autofill (link_id, kind, value, updated_at) VALUES ($linkId, $kind, $value, $now)
     ON CONFLICT (link_id) DO UPDATE SET kind = excluded.kind, value = excluded.value, updated_at = excluded.updated_at`);
  return {
    storedQuery: (linkId: number) => byLink.get({ linkId }),
    remember: (linkId: number, q: AutofillQuery, now: number) => upsert.run({ linkId, kind: q.kind, value: q.value, now }),
  };
}
export type AutofillRepo = ReturnType<typeof autofillRepo>;
