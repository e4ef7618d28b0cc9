import type { Database } from "bun:sqlite";

/** The daily visitor salts; the rollup job deletes past days' rows. */
export function visitorSaltRepo(db: Database) {
  const read = db.query<{ salt: Uint8Array }, [string]>("SELECT salt FROM visitor_salts WHERE day = ?1");
  const insert = db.query<null, [string, Uint8Array]>("INSERT OR IGNORE INTO visitor_salts (day, salt) VALUES (?1, ?2)");
  return {
    /** Stores the salt unless the day has one already, so two processes end up with the same. */
    offer: (day: string, salt: Uint8Array) => insert.run(day, salt),
    saltOf: (day: string) => read.get(day)?.salt ?? null,
  };
}
export type VisitorSaltRepo = ReturnType<typeof visitorSaltRepo>;
