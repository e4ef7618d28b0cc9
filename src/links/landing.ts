export const UTM_KEYS = ["utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term"] as const;
export type Utm = [string | null, string | null, string | null, string | null, string | null];

/** The landing page's UTM parameters, each trimmed to a sane length. */
export function utmFrom(query: Record<string, unknown>): Utm {
  return UTM_KEYS.map((k) => {
    const v = query[k];
    return typeof v === "string" && v !== "" ? v.slice(0, 200) : null;
  }) as Utm;
}

/** The query string carried from the landing page to each click-out, so the click keeps its campaign. */
export function carryQuery(utm: Utm, referrerHost: string | null): string {
  if (!referrerHost && utm.every((v) => !v)) return "";
  const q = new URLSearchParams();
  UTM_KEYS.forEach((k, i) => utm[i] && q.set(k, utm[i]!));
  if (referrerHost) q.set("ref", referrerHost);
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** The host of an external referrer; our own pages are not a source. */
export function referrerHost(referer: string | null, ownHost: string): string | null {
  if (!referer) return null;
  try {
    const u = new URL(referer);
    if (u.protocol !== "http:" && u.protocol !== "https:") return null;
    return u.host === ownHost ? null : u.hostname.slice(0, 200);
  } catch {
    return null;
  }
}

/** The absolute base URL: PUBLIC_URL, else what the request (or a trusted proxy) says. */
export function baseUrl(request: Request, publicUrl: string | undefined, trustProxy: boolean): string {
  if (publicUrl) return publicUrl;
  if (!trustProxy) {
    // Bun hands us an absolute, normalised URL: its origin ends where the path begins.
    const i = request.url.indexOf("/", request.url.indexOf("//") + 2);
    return i === -1 ? request.url : request.url.slice(0, i);
  }
  const url = new URL(request.url);
  if (trustProxy) {
    const proto = request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim();
    const host = request.headers.get("x-forwarded-host")?.split(",")[0]?.trim();
    if (proto === "http" || proto === "https") url.protocol = `${proto}:`;
    if (host && /^[A-Za-z0-9.:[\]-]+$/.test(host)) url.host = host;
  }
  return url.origin;
}
