import type { Database } from "bun:sqlite";
import { timingSafeEqual } from "node:crypto";

export const sha256 = (text: string) => new Bun.CryptoHasher("sha256").update(text).digest("hex");

/** API tokens are shown once and stored only as their SHA-256. */
export function tokenRepo(db: Database) {
  const byHash = db.query<{ id: number }, { hash: string }>(
    "SELECT id FROM api_tokens WHERE token_hash = $hash AND revoked_at IS NULL");
  const touch = db.query<null, { id: number; now: number }>("UPDATE api_tokens SET last_used_at = $now WHERE id = $id");
  const insert = db.query<{ id: number }, { name: string; hash: string; now: number }>(
    "INSERT INTO api_tokens (name, token_hash, created_at) VALUES ($name, $hash, $now) RETURNING id");
  const list = db.query<{ id: number; name: string; createdAt: number; lastUsedAt: number | null }, []>(
    "SELECT id, name, created_at AS createdAt, last_used_at AS lastUsedAt FROM api_tokens WHERE revoked_at IS NULL ORDER BY id");
  const revoke = db.query<null, { id: number; now: number }>("UPDATE api_tokens SET revoked_at = $now WHERE id = $id AND revoked_at IS NULL");
  return {
    verify(token: string, now: number): boolean {
      const row = byHash.get({ hash: sha256(token) });
      if (row) touch.run({ id: row.id, now });
      return row !== null;
    },
    create(name: string, now: number): { id: number; token: string } {
      const token = `outro_${Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString("base64url")}`;
      const { id } = insert.get({ name, hash: sha256(token), now })!;
      return { id, token };
    },
    list: () => list.all(),
    revoke: (id: number, now: number) => revoke.run({ id, now }).changes > 0,
  };
}
export type TokenRepo = ReturnType<typeof tokenRepo>;

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(sha256(a));
  const y = Buffer.from(sha256(b));
  return timingSafeEqual(x, y);
}
