import { Elysia } from "elysia";
import type { Database } from "bun:sqlite";
import type { Config } from "../config";
import type { LinkService } from "../links/service";
import type { SettingsService } from "../settings/service";
import type { TokenRepo } from "../api/tokens";
import type { LinkMonitor } from "../monitor/service";
import { securityHeadersFor } from "../plugins/security";
import { linkStats } from "../stats/service";
import { deliveryLog } from "../tracking/log";
import { mediaStore } from "../media/store";
import { adminPassword, readCookie, sessionStore, signInLimiter, tokenMatches, SESSION_COOKIE, type Session } from "./auth";
import { bioRepo } from "./bio-repo";
import { AdminMessage, type Shell } from "../../views/admin/layout";

export interface AdminDeps {
  config: Config;
  db: Database;
  links: LinkService;
  settings: SettingsService;
  tokens: TokenRepo;
  clock?: () => number;
  /** The dead-link monitor; the admin modules that do not show link health leave it out. */
  monitor?: LinkMonitor;
}

/** Everything the admin's route modules share, built once per app. */
export function adminKit({ config, db, links, settings, tokens, clock = Date.now, monitor }: AdminDeps) {
  return {
    config, db, links, settings, tokens, clock, monitor: monitor ?? null,
    sessions: sessionStore(db, clock),
    password: adminPassword(config, settings),
    limiter: signInLimiter(clock),
    stats: linkStats(db, clock),
    log: deliveryLog(db),
    bio: bioRepo(db),
    media: mediaStore(config.dataDir),
    secureCookies: config.publicUrl?.startsWith("https:") ?? false,
    headers: adminHeaders(config),
  };
}
export type AdminKit = ReturnType<typeof adminKit>;

/** Scripts and styles only from /admin/assets; no inline code, so a stored XSS has nothing to run. */
export const ADMIN_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' https: data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join("; ");

/** Never cached, never indexed, the shared security headers (HSTS when PUBLIC_URL is https) and the strict CSP. */
export const adminHeaders = (config: Config): Record<string, string> => ({
  ...securityHeadersFor(config),
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "x-robots-tag": "noindex, nofollow",
  "content-security-policy": ADMIN_CSP,
});

/**
 * Macro plugin for admin routes. `{ admin: true }` needs a session (else a redirect to sign-in)
 * and, on POST, the session's CSRF token in the `_csrf` field; `{ admin: "open" }` only adds the
 * admin headers and the session if there is one. Nothing here runs for routes that do not opt in.
 */
export const adminContext = (kit: AdminKit) => {
  const shellFor = (session: Session | null): Shell => ({ csrf: session?.csrf ?? null, testEventCode: session ? kit.settings.get().testEventCode : null });
  return new Elysia().macro({
    admin: (kind: true | "open") => ({
      // Each hook reads the session itself and destructures its own parameters: Elysia infers what
      // a handler uses from its source, and that must keep working in the minified single executable.
      resolve({ request, set }) {
        Object.assign(set.headers, kit.headers);
        const session: Session | null = kit.sessions.find(readCookie(request, SESSION_COOKIE));
        return { session, shell: shellFor(session) };
      },
      beforeHandle({ request, body, set, redirect }) {
        if (kind !== true) return;
        const session = kit.sessions.find(readCookie(request, SESSION_COOKIE));
        if (!session) {
          Object.assign(set.headers, kit.headers);
          return redirect(kit.password.needsSetup() ? "/admin/setup" : "/admin/login", 303);
        }
        const shell = shellFor(session);
        if (request.method === "POST" && !tokenMatches((body as Record<string, unknown> | null)?._csrf, session.csrf)) {
          Object.assign(set.headers, kit.headers);
          set.status = 403;
          return (
            <AdminMessage shell={shell} title="Form expired" heading="This form could not be checked">
              <p>The form's security token is missing or out of date, so nothing was changed. Go back, reload the page and try again.</p>
            </AdminMessage>
          );
        }
      },
    }),
  });
};

/** A form body as plain strings (files dropped); absent or odd values become "". */
export function formText(body: unknown): (name: string, max?: number) => string {
  const record = body && typeof body === "object" ? (body as Record<string, unknown>) : {};
  return (name, max = 10_000) => {
    const v = record[name];
    const s = Array.isArray(v) ? v[0] : v;
    return typeof s === "string" ? s.slice(0, max) : "";
  };
}

export function formFile(body: unknown, name: string): File | null {
  const v = body && typeof body === "object" ? (body as Record<string, unknown>)[name] : null;
  return v instanceof File && v.size > 0 ? v : null;
}

/** zod issues as { "a.b.0": message }, first message per field. */
export function fieldErrors(issues: readonly { path: readonly PropertyKey[]; message: string }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of issues) out[i.path.map(String).join(".") || "form"] ??= i.message;
  return out;
}
