import type { Database } from "bun:sqlite";

/** The api_tokens table; a token is found by its SHA-256, never stored in clear. */
export function apiTokenRepo(db: Database) {
  const byHash = db.query<{ id: number }, { hash: string }>(
    "SELECT id FROM api_tokens WHERE token_hash = $hash AND revoked_at IS NULL");
  const touch = db.query<null, { id: number; now: number }>("UPDATE api_tokens SET last_used_at = $now WHERE id = $id");
  const insert = db.query<{ id: number }, { name: string; hash: string; now: number }>(
    "INSERT INTO api_tokens (name, token_hash, created_at) VALUES ($name, $hash, $now) RETURNING id");
  const list = db.query<{ id: number; name: string; createdAt: number; lastUsedAt: number | null }, []>(
    "SELECT id, name, created_at AS createdAt, last_used_at AS lastUsedAt FROM api_tokens WHERE revoked_at IS NULL ORDER BY id");
  const revoke = db.query<null, { id: number; now: number }>("UPDATE api_tokens SET revoked_at = $now WHERE id = $id AND revoked_at IS NULL");
  return {
    /** The id of the unrevoked token with this hash, or null. */
    activeId: (hash: string) => byHash.get({ hash })?.id ?? null,
    touch: (id: number, now: number) => touch.run({ id, now }),
    insert: (name: string, hash: string, now: number) => insert.get({ name, hash, now })!.id,
    list: () => list.all(),
    /** False when the token was already revoked or never existed. */
    revoke: (id: number, now: number) => revoke.run({ id, now }).changes > 0,
  };
}
export type ApiTokenRepo = ReturnType<typeof apiTokenRepo>;
