import { catalogEntry } from "../catalog";
import { readCookies } from "../tracking/identity";

/**
 * The fan's service, remembered after a click-out so the next smart link can route them there.
 * A functional preference (like a language choice): it names a service id, nothing about the fan,
 * and is never sent to Meta, so it is set in every consent mode.
 */
export const SERVICE_COOKIE = "outro_svc";
const ONE_YEAR = 365 * 86_400;

/** The remembered streaming service, or null when the cookie is absent or not a streaming service we know. */
export function rememberedService(cookieHeader: string | null): string | null {
  if (!cookieHeader || !cookieHeader.includes(SERVICE_COOKIE)) return null;
  const id = readCookies(cookieHeader)[SERVICE_COOKIE];
  return id && catalogEntry(id)?.kind === "streaming" ? id : null;
}

/** Set-Cookie for a click-out to a streaming service; null for anything else (merch, socials …). */
export function rememberCookie(service: string | null, secure: boolean): string | null {
  if (!service) return null;
  // On the click-out's hot path: one map probe per click, the cookie built once per service.
  const key = secure ? `${service} s` : service;
  let cookie = cookies.get(key);
  if (cookie === undefined) {
    cookie = catalogEntry(service)?.kind === "streaming"
      ? `${SERVICE_COOKIE}=${service}; Max-Age=${ONE_YEAR}; Path=/; SameSite=Lax; HttpOnly${secure ? "; Secure" : ""}`
      : null;
    cookies.set(key, cookie);
  }
  return cookie;
}
const cookies = new Map<string, string | null>();
