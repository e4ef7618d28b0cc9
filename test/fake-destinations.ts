import { ADMIN_PASSWORD } from "./admin-client";

// A stand-in for the sites destinations point at: a real HTTP server on 127.0.0.1 that answers
// each path the way a test tells it, and records every request's arrival, end and overlap.

export interface SeenRequest {
  method: string;
  path: string;
  userAgent: string;
  /** performance.now() when the request arrived and when its answer was handed back. */
  arrivedAt: number;
  answeredAt: number;
}

export interface FakeDestinations {
  /** http://127.0.0.1:PORT */
  url: string;
  requests: SeenRequest[];
  /** Most requests this server was handling at once. */
  maxInFlight: number;
  /** Makes a path answer with this status (GET and HEAD alike) from now on. */
  set(path: string, status: number): void;
  close(): void;
}

/**
 * Paths it knows:
 * - /ok 200, /gone 404, /removed 410, /down 503, /blocked 403, /slow-down 429 with Retry-After: 1
 * - /no-head: HEAD 405, GET 200 — /head-broken: HEAD 404, GET 200 (a server that mishandles HEAD)
 * - /hop/N: 302 to /hop/N-1 …, /hop/0 is 200 — /loop: 302 to itself
 * - /hang: never answers (until the server closes)
 * - anything else: 200; `set()` overrides any path.
 */
export function startFakeDestinations(opts: { delayMs?: number } = {}): FakeDestinations {
  const overrides = new Map<string, number>();
  const requests: SeenRequest[] = [];
  const hanging: (() => void)[] = [];
  let inFlight = 0;
  const state = { maxInFlight: 0 };

  const answer = (method: string, path: string): Response | null => {
    const forced = overrides.get(path);
    if (forced !== undefined) return new Response(forced >= 300 && forced < 400 ? null : `status ${forced}`, { status: forced, headers: forced >= 300 && forced < 400 ? { location: "/ok" } : {} });
    if (path === "/slow-down") return new Response("too many", { status: 429, headers: { "retry-after": "1" } });
    const fixed: Record<string, number> = { "/ok": 200, "/gone": 404, "/removed": 410, "/down": 503, "/blocked": 403 };
    if (fixed[path]) return new Response(`status ${fixed[path]}`, { status: fixed[path] });
    if (path === "/no-head") return method === "HEAD" ? new Response(null, { status: 405 }) : new Response("hello");
    if (path === "/head-broken") return method === "HEAD" ? new Response(null, { status: 404 }) : new Response("hello");
    const hop = /^\/hop\/(\d+)$/.exec(path);
    if (hop) {
      const n = Number(hop[1]);
      return n === 0 ? new Response("landed") : new Response(null, { status: 302, headers: { location: `/hop/${n - 1}` } });
    }
    if (path === "/loop") return new Response(null, { status: 302, headers: { location: "/loop" } });
    if (path === "/hang") return null;
    return new Response("fine");
  };

  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    idleTimeout: 0,
    async fetch(req) {
      const path = new URL(req.url).pathname;
      const seen: SeenRequest = { method: req.method, path, userAgent: req.headers.get("user-agent") ?? "", arrivedAt: performance.now(), answeredAt: NaN };
      requests.push(seen);
      inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, inFlight);
      try {
        // A little work per request, so overlapping requests would be seen overlapping.
        if (opts.delayMs) await Bun.sleep(opts.delayMs);
        const res = answer(req.method, path);
        if (res) return res;
        await new Promise<void>((wake) => hanging.push(wake));
        return new Response("too late", { status: 504 });
      } finally {
        inFlight--;
        seen.answeredAt = performance.now();
      }
    },
  });

  return {
    url: `http://127.0.0.1:${server.port}`,
    requests,
    get maxInFlight() {
      return state.maxInFlight;
    },
    set: (path, status) => void overrides.set(path, status),
    close() {
      for (const wake of hanging) wake();
      server.stop(true);
    },
  };
}

/** An app environment for monitor tests: short timeouts, no pause per host, an admin password. */
export const MONITOR_ENV = { LINK_CHECK_TIMEOUT_MS: "300", LINK_CHECK_HOST_GAP_MS: "0", ADMIN_PASSWORD };
