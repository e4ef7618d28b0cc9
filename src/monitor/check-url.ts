import type { CheckOutcome } from "./verdict";
import type { RateLimiter } from "./rate-limit";

export interface CheckOptions {
  limiter: RateLimiter;
  /** Per request (each HEAD, GET and redirect hop has its own). */
  timeoutMs: number;
  userAgent: string;
  /** Aborts every request of a check in flight (the app is stopping). */
  signal?: AbortSignal;
  maxRedirects?: number;
}

export const MAX_REDIRECTS = 5;

/** An honest User-Agent: says what it is and where it runs, so a site owner can tell who knocks. */
export function checkerUserAgent(publicUrl: string | undefined): string {
  return `Outro-LinkCheck/1.0 (dead-link monitor of a self-hosted smart-link server${publicUrl ? `; +${publicUrl}` : ""})`;
}

/** HEAD answers that may be HEAD's fault rather than the page's: asked again with GET. */
const RETRY_WITH_GET = (status: number) => status >= 400 && status !== 429 && status !== 401;

interface Hop {
  status: number | null;
  statusText: string;
  location: string | null;
  error: string | null;
}

function errorText(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; code?: string; message?: string };
  if (e?.name === "TimeoutError") return `no answer within ${timeoutMs / 1000} s (timed out)`;
  if (e?.name === "AbortError") return "check stopped";
  const code = typeof e?.code === "string" ? e.code : "";
  if (/refused/i.test(code)) return "connection refused";
  if (/ENOTFOUND|DNS|EAI_/i.test(code) || /getaddrinfo|dns/i.test(e?.message ?? "")) return "host not found (DNS)";
  if (/reset|closed|socket/i.test(code) || /socket|closed/i.test(e?.message ?? "")) return "connection closed before an answer";
  if (/cert|tls|ssl/i.test(code) || /certificate|tls|ssl/i.test(e?.message ?? "")) return `TLS error (${(code || e?.message || "").slice(0, 80)})`;
  return `network error (${(code || e?.message || "unknown").slice(0, 100)})`;
}

/** One request, through the rate limiter; the body is never read. */
async function request(url: URL, method: "HEAD" | "GET", opts: CheckOptions): Promise<Hop> {
  return opts.limiter.run(url.host, async () => {
    const timeout = AbortSignal.timeout(opts.timeoutMs);
    const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
    try {
      const res = await fetch(url, {
        method,
        redirect: "manual",
        signal,
        headers: { "user-agent": opts.userAgent, accept: "text/html,application/xhtml+xml,*/*;q=0.8" },
      });
      // Only the status matters: drop the body so a big page costs nothing.
      await res.body?.cancel().catch(() => {});
      // "Too many requests": honour the host's Retry-After (30 s when it names none) before its next request.
      if (res.status === 429 || (res.status === 503 && res.headers.has("retry-after"))) {
        opts.limiter.pauseHost(url.host, retryAfterMs(res.headers.get("retry-after")) ?? 30_000);
      }
      return { status: res.status, statusText: res.statusText, location: res.headers.get("location"), error: null };
    } catch (err) {
      return { status: null, statusText: "", location: null, error: errorText(err, opts.timeoutMs) };
    }
  });
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

const isRedirect = (status: number | null) => status !== null && [301, 302, 303, 307, 308].includes(status);

/**
 * Checks one destination URL: HEAD first, GET when HEAD is refused or answered with an error,
 * redirects followed (at most MAX_REDIRECTS hops, http(s) only). Answers the final status.
 */
export async function checkUrl(raw: string, opts: CheckOptions): Promise<CheckOutcome> {
  const max = opts.maxRedirects ?? MAX_REDIRECTS;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { status: null, answer: "not a valid URL" };
  }
  let method: "HEAD" | "GET" = "HEAD";
  for (let hops = 0; ; ) {
    let hop = await request(url, method, opts);
    if (method === "HEAD" && hop.status !== null && !isRedirect(hop.status) && RETRY_WITH_GET(hop.status)) {
      method = "GET";
      hop = await request(url, method, opts);
    }
    if (hop.error !== null) return { status: null, answer: hops ? `${hop.error}, after ${hops} redirect${hops > 1 ? "s" : ""}` : hop.error };
    if (!isRedirect(hop.status) || !hop.location) return { status: hop.status, answer: describe(hop, hops, method) };
    let next: URL;
    try {
      next = new URL(hop.location, url);
    } catch {
      return { status: null, answer: `HTTP ${hop.status} to an invalid Location` };
    }
    // A hand-off to an app's own scheme (spotify:, intent:) is where a browser would stop too.
    if (next.protocol !== "http:" && next.protocol !== "https:") return { status: hop.status, answer: `HTTP ${hop.status} to ${next.protocol} (app link)` };
    if (++hops > max) return { status: null, answer: `more than ${max} redirects` };
    url = next;
    // 303 turns any method into GET; other redirects keep it.
    if (hop.status === 303) method = "GET";
  }
}

function describe(hop: Hop, hops: number, method: string): string {
  const text = `HTTP ${hop.status}${hop.statusText ? ` ${hop.statusText.slice(0, 60)}` : ""}`;
  const how = method === "GET" ? " (GET)" : "";
  return hops ? `${text}${how}, after ${hops} redirect${hops > 1 ? "s" : ""}` : `${text}${how}`;
}
