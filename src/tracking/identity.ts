/**
 * First-party identifiers Meta matches on: _fbp (browser id), _fbc (click id from fbclid) and our
 * own visitor id (sent hashed as external_id). Built by the server on landing so a server event
 * carries them even when the Pixel never loads.
 */
export interface Identity {
  fbp: string | null;
  fbc: string | null;
  visitorId: string | null;
  /** Set-Cookie values to send with this response. */
  cookies: string[];
}

export const VISITOR_COOKIE = "outro_vid";
export const CONSENT_COOKIE = "outro_consent";
const NINETY_DAYS = 90 * 86_400;

/** Meta's format: fb.{subdomainIndex}.{creationTime ms}.{value}, optionally a 5th part (a language token). */
const FB_COOKIE = /^fb\.(\d)\.(\d{10,16})\.([^.\s;]+)(?:\.([A-Za-z0-9_-]+))?$/;

export function parseFbCookie(value: string | undefined | null): { created: number; value: string; raw: string } | null {
  if (!value) return null;
  const m = FB_COOKIE.exec(value);
  return m ? { created: Number(m[2]), value: m[3]!, raw: value } : null;
}

/** Reads the request's cookies without decoding values: _fbc must stay byte-exact. */
export function readCookies(header: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(";")) {
    const i = part.indexOf("=");
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

// fbclid values are URL-safe tokens; anything else is not worth a cookie.
const FBCLID = /^[A-Za-z0-9_-]{1,500}$/;

const cookie = (name: string, value: string, secure: boolean, httpOnly = false) =>
  `${name}=${value}; Max-Age=${NINETY_DAYS}; Path=/; SameSite=Lax${secure ? "; Secure" : ""}${httpOnly ? "; HttpOnly" : ""}`;

function randomDigits(n: number): string {
  const bytes = crypto.getRandomValues(new Uint32Array(2));
  return (String(bytes[0]) + String(bytes[1])).padStart(n, "0").slice(0, n);
}

/**
 * On a page view: keep what the browser has, create what is missing, and replace _fbc when the
 * landing URL carries a new fbclid. On a click-out (`landing` false) only read.
 */
export function identify(cookieHeader: string | null, fbclid: string | undefined, now: number, opts: { landing: boolean; secure: boolean }): Identity {
  const jar = readCookies(cookieHeader);
  const fbp = parseFbCookie(jar._fbp)?.raw ?? null;
  let fbc = parseFbCookie(jar._fbc)?.raw ?? null;
  let visitorId = jar[VISITOR_COOKIE] && /^[A-Za-z0-9_-]{16,64}$/.test(jar[VISITOR_COOKIE]!) ? jar[VISITOR_COOKIE]! : null;
  const cookies: string[] = [];
  if (!opts.landing) return { fbp, fbc, visitorId, cookies };

  let newFbp = fbp;
  if (!newFbp) {
    newFbp = `fb.1.${now}.${randomDigits(10)}`;
    cookies.push(cookie("_fbp", newFbp, opts.secure));
  }
  if (fbclid && FBCLID.test(fbclid) && parseFbCookie(fbc)?.value !== fbclid) {
    fbc = `fb.1.${now}.${fbclid}`;
    cookies.push(cookie("_fbc", fbc, opts.secure));
  }
  if (!visitorId) {
    visitorId = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64url");
    cookies.push(cookie(VISITOR_COOKIE, visitorId, opts.secure, true));
  }
  return { fbp: newFbp, fbc, visitorId, cookies };
}

export function hasConsent(cookieHeader: string | null): boolean {
  return readCookies(cookieHeader)[CONSENT_COOKIE] === "granted";
}
