import type { Database } from "bun:sqlite";
import type { Session } from "./auth";

/** Admin sessions, each row keyed by the SHA-256 of its cookie token. */
export function sessionRepo(db: Database) {
  const insert = db.query<null, { hash: string; csrf: string; now: number; expires: number }>(
    "INSERT INTO admin_sessions (token_hash, csrf, created_at, expires_at) VALUES ($hash, $csrf, $now, $expires)");
  const byHash = db.query<Session, { hash: string; now: number }>(
    "SELECT token_hash AS tokenHash, csrf, expires_at AS expiresAt FROM admin_sessions WHERE token_hash = $hash AND expires_at > $now");
  const remove = db.query<null, { hash: string }>("DELETE FROM admin_sessions WHERE token_hash = $hash");
  const purge = db.query<null, { now: number }>("DELETE FROM admin_sessions WHERE expires_at <= $now");
  return {
    insert: (hash: string, csrf: string, now: number, expiresAt: number) => insert.run({ hash, csrf, now, expires: expiresAt }),
    /** The session with this hash, unless it has expired. */
    live: (hash: string, now: number) => byHash.get({ hash, now }),
    remove: (hash: string) => remove.run({ hash }),
    purgeExpired: (now: number) => purge.run({ now }),
  };
}
export type SessionRepo = ReturnType<typeof sessionRepo>;
