import { Elysia } from "elysia";

/** Headers every response carries; the page CSP with its nonce is set where scripts are rendered. */
export const securityHeaders = new Elysia({ name: "security-headers" }).headers({
  "x-content-type-options": "nosniff",
  "referrer-policy": "strict-origin-when-cross-origin",
  "x-frame-options": "DENY",
  "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
});
