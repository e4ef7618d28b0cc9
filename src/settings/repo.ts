import type { Database } from "bun:sqlite";

/** The settings table: one JSON-encoded value per key. */
export function settingsRepo(db: Database) {
  const all = db.query<{ key: string; value: string }, []>("SELECT key, value FROM settings");
  const one = db.query<{ value: string }, { key: string }>("SELECT value FROM settings WHERE key = $key");
  const write = db.query<null, { key: string; value: string }>(
    "INSERT INTO settings (key, value) VALUES ($key, $value) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  const remove = db.query<null, { key: string }>("DELETE FROM settings WHERE key = $key");
  return {
    all: () => all.all(),
    /** The stored JSON text of one key, or null. */
    value: (key: string) => one.get({ key })?.value ?? null,
    write: (key: string, json: string) => write.run({ key, value: json }),
    remove: (key: string) => remove.run({ key }),
  };
}
export type SettingsRepo = ReturnType<typeof settingsRepo>;

/**
 * One stored value for callers that hold only a connection (the rollup worker, the click-out writer).
 * Prepared on each call, as it always was: they read it once per batch or request, not per row.
 */
export function storedValue(db: Database, key: string): string | null {
  return db.query<{ value: string }, [string]>("SELECT value FROM settings WHERE key = ?1").get(key)?.value ?? null;
}
