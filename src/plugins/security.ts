import { Elysia } from "elysia";

/** Headers for every HTML page and API answer. Not app-wide: Elysia would copy them onto each 302 too. */
export const SECURITY_HEADERS: Record<string, string> = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "strict-origin-when-cross-origin",
  "x-frame-options": "DENY",
  "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
};

/** A page's Content-Security-Policy: scripts only from self, the nonce and Meta's Pixel host. */
export function pageCsp(nonce: string | null): string {
  if (nonce === null) return UNTRACKED_CSP;
  // Built per tracked view: two concatenations around the nonce.
  return `${CSP_HEAD}'self' 'nonce-${nonce}' https://connect.facebook.net${CSP_TAIL}`;
}

const CSP_HEAD = "default-src 'self'; script-src ";
const CSP_TAIL = "; " + cspRest();
const UNTRACKED_CSP = `${CSP_HEAD}'self'${CSP_TAIL}`;

function cspRest(): string {
  return [
    "img-src 'self' https: data:",
    "style-src 'self'",
    "connect-src 'self' https://www.facebook.com https://connect.facebook.net",
    "frame-ancestors 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join("; ");
}

/** Browsers that saw the site over https keep to https for a year. */
export const HSTS = "max-age=31536000";

/**
 * The headers for this instance's HTML and API answers, computed once at startup: the shared
 * ones, plus HSTS when PUBLIC_URL is https (over plain http a browser ignores it anyway).
 */
export function securityHeadersFor(config: { publicUrl?: string }): Record<string, string> {
  return config.publicUrl?.startsWith("https:") ? { ...SECURITY_HEADERS, "strict-transport-security": HSTS } : SECURITY_HEADERS;
}

/** Scoped plugin: the routes of the instance that uses it get these headers. */
export const securityHeadersPlugin = (headers: Record<string, string>) =>
  new Elysia({ name: "security-headers", seed: Object.keys(headers).length }).onAfterHandle({ as: "scoped" }, ({ set }) => {
    Object.assign(set.headers, headers);
  });

/** The shared headers without HSTS (see securityHeadersFor for the config-dependent set). */
export const securityHeaders = securityHeadersPlugin(SECURITY_HEADERS);
