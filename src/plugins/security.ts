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
  const scripts = nonce ? `'self' 'nonce-${nonce}' https://connect.facebook.net` : "'self'";
  return [
    "default-src 'self'",
    `script-src ${scripts}`,
    "img-src 'self' https: data:",
    "style-src 'self'",
    "connect-src 'self' https://www.facebook.com https://connect.facebook.net",
    "frame-ancestors 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join("; ");
}

/** Scoped plugin: the routes of the instance that uses it get the security headers. */
export const securityHeaders = new Elysia({ name: "security-headers" }).onAfterHandle({ as: "scoped" }, ({ set }) => {
  Object.assign(set.headers, SECURITY_HEADERS);
});
