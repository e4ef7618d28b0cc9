import type { Database } from "bun:sqlite";
import type { Config } from "../config";
import type { SettingsService } from "../settings/service";
import { sameSecret, sha256 } from "../api/tokens";
import { sessionRepo } from "./auth-repo";

export const SESSION_COOKIE = "outro_admin";
/** Before sign-in there is no session to hold a CSRF token, so the login and setup forms pair a cookie with a field. */
export const FORM_COOKIE = "outro_form";
export const SESSION_TTL_MS = 7 * 24 * 3_600_000;
export const PASSWORD_HASH_KEY = "adminPasswordHash";

/** Sign-in attempts: this many failures per window and an address has to wait. */
export const MAX_FAILURES = 5;
export const FAILURE_WINDOW_MS = 15 * 60_000;

export interface Session {
  tokenHash: string;
  csrf: string;
  expiresAt: number;
}

/** One cookie from the request, read by hand so no framework inference is involved. */
export function readCookie(request: Request, name: string): string | undefined {
  const header = request.headers.get("cookie");
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export interface CookieOptions {
  maxAge: number;
  sameSite: "Lax" | "Strict";
  secure: boolean;
}

/** A Set-Cookie value for the admin: HttpOnly, Path=/admin. Values are base64url, so they need no encoding. */
export function cookieHeader(name: string, value: string, { maxAge, sameSite, secure }: CookieOptions): string {
  return `${name}=${value}; Max-Age=${maxAge}; Path=/admin; HttpOnly; SameSite=${sameSite}${secure ? "; Secure" : ""}`;
}

/** Adds a Set-Cookie header to the response being built. */
export function addCookie(set: { headers: Record<string, unknown> }, cookie: string) {
  const current = set.headers["set-cookie"];
  set.headers["set-cookie"] = Array.isArray(current) ? [...current, cookie] : typeof current === "string" ? [current, cookie] : [cookie];
}

export const randomToken = (bytes = 32) => Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString("base64url");

/** Compares a submitted token with the expected one in constant time; empty never matches. */
export function tokenMatches(given: unknown, expected: string | null | undefined): boolean {
  return typeof given === "string" && given !== "" && !!expected && sameSecret(given, expected);
}

/** Sessions stored as the SHA-256 of their cookie token, each with its own CSRF token. */
export function sessionStore(db: Database, clock: () => number) {
  const repo = sessionRepo(db);
  return {
    /** Returns the cookie token; only its hash is kept. */
    create(): { token: string; expiresAt: number } {
      const now = clock();
      repo.purgeExpired(now);
      const token = randomToken();
      const expiresAt = now + SESSION_TTL_MS;
      repo.insert(sha256(token), randomToken(24), now, expiresAt);
      return { token, expiresAt };
    },
    find(token: string | undefined): Session | null {
      if (!token || token.length > 200) return null;
      return repo.live(sha256(token), clock());
    },
    remove: (session: Session) => repo.remove(session.tokenHash),
  };
}

/** The admin password: ADMIN_PASSWORD when set, else the argon2id hash stored by the setup form. */
export function adminPassword(config: Config, settings: SettingsService) {
  const storedHash = () => settings.getRaw(PASSWORD_HASH_KEY);
  return {
    isSet: () => !!config.adminPassword || !!storedHash(),
    /** The setup form exists only while this is true. */
    needsSetup: () => !config.adminPassword && !storedHash(),
    async verify(password: string): Promise<boolean> {
      if (config.adminPassword) return sameSecret(password, config.adminPassword);
      const hash = storedHash();
      if (!hash) return false;
      try {
        return await Bun.password.verify(password, hash);
      } catch {
        return false;
      }
    },
    async store(password: string) {
      settings.setRaw(PASSWORD_HASH_KEY, await Bun.password.hash(password, "argon2id"));
    },
  };
}

/** Failed sign-ins per client address, kept in memory: a restart forgets them, which only helps the owner. */
export function signInLimiter(clock: () => number) {
  const failures = new Map<string, { count: number; since: number }>();
  const current = (ip: string) => {
    const entry = failures.get(ip);
    if (entry && clock() - entry.since >= FAILURE_WINDOW_MS) {
      failures.delete(ip);
      return undefined;
    }
    return entry;
  };
  return {
    /** Milliseconds until this address may try again, or 0. */
    retryAfter(ip: string): number {
      const entry = current(ip);
      return entry && entry.count >= MAX_FAILURES ? entry.since + FAILURE_WINDOW_MS - clock() : 0;
    },
    fail(ip: string) {
      const entry = current(ip);
      if (entry) entry.count++;
      else {
        // Bounded, so a flood of addresses cannot grow memory without limit.
        if (failures.size >= 10_000) failures.clear();
        failures.set(ip, { count: 1, since: clock() });
      }
    },
    reset: (ip: string) => void failures.delete(ip),
  };
}

export type SessionStore = ReturnType<typeof sessionStore>;
export type AdminPassword = ReturnType<typeof adminPassword>;
export type SignInLimiter = ReturnType<typeof signInLimiter>;
