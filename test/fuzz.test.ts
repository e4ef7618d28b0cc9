import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import fc from "fast-check";
import { HUMAN_UA, TOKEN, release, startApp, type TestApp } from "./helpers";
import { AdminClient } from "./admin-client";

// Property-based tests: hostile and random input on every JSON API route and every public route
// never answers 5xx, never kills the server, and never changes a link it was not aimed at.

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const SENTINEL = "sentinel-link";

const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 120 });
const nasty = fc.constantFrom(
  "", " ", "\u0000", "%00", "../", "..%2F", "%2e%2e%2f", "a%2Fb", "%2F", "//", "\\", "sentinel-link%00", "Sentinel-Link",
  "SENTINEL-LINK", "sentinel-link ", "sentinel-link/", "sentinel-link%2F..", "<script>alert(1)</script>", "' OR 1=1 --",
  "\"; DROP TABLE links; --", "admin", "api", "metrics", "healthz", "🎵🎶", "\u202e\u0301", "\ud800", "a".repeat(5000),
  "null", "true", "[]", "{}", "NaN", "-1", "1e309", "constructor", "__proto__", "%ff%fe", "night-drive", "fuzz-a", "fuzz-b",
);
const text = fc.oneof(nasty, fc.string({ maxLength: 80 }), fc.string({ unit: "grapheme", maxLength: 40 }), fc.string({ unit: "binary", maxLength: 40 }), printable);
const huge = fc.integer({ min: 1, max: 200_000 }).map((n) => "x".repeat(n));
const json = fc.jsonValue({ maxDepth: 3 });
const hostileValue = fc.oneof({ weight: 3, arbitrary: text }, { weight: 2, arbitrary: json }, { weight: 1, arbitrary: huge }, { weight: 1, arbitrary: fc.double() });

/** A link-shaped body with any field wrong, missing or strange. */
const linkish = fc.record(
  {
    slug: fc.oneof(text, fc.constantFrom("fuzz-new", "fuzz-a", SENTINEL), hostileValue),
    type: fc.oneof(fc.constantFrom("release", "bio"), hostileValue),
    title: fc.oneof(text, hostileValue),
    artist: hostileValue,
    artworkUrl: fc.oneof(fc.webUrl(), hostileValue, fc.constantFrom("javascript:alert(1)", "/media/../../etc/passwd", "data:text/html,x")),
    destinations: fc.oneof(
      fc.array(fc.record({ url: fc.oneof(fc.webUrl(), hostileValue), service: hostileValue, label: hostileValue }, { requiredKeys: [] }), { maxLength: 40 }),
      hostileValue,
    ),
    pixelId: hostileValue,
    accessToken: hostileValue,
    clickEventName: hostileValue,
    published: hostileValue,
    id: hostileValue,
  },
  { requiredKeys: [] },
);
/** Mostly valid, so creates and edits do succeed now and then, with odd but legal text. */
const validSlug = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}[a-z0-9]$/);
const nearlyValid = fc
  .tuple(validSlug, fc.record({ title: fc.string({ unit: "grapheme", minLength: 1, maxLength: 60 }), artist: text, type: fc.constantFrom("release", "bio"), clickEventName: fc.constantFrom("Lead", "Subscribe", "My_Custom") }, { requiredKeys: [] }))
  .map(([slug, over]) => JSON.stringify({ ...release(slug), ...over }));
const body = fc.oneof(
  { weight: 2, arbitrary: nearlyValid },
  linkish.map((b) => JSON.stringify(b)),
  json.map((v) => JSON.stringify(v)),
  text,
  huge,
  fc.constantFrom("{", "{\"slug\":", "[1,2", "\u0000", "{\"__proto__\":{\"admin\":true}}", undefined),
);

/** A path segment: usually percent-encoded random text, sometimes raw hostile text. */
const segment = fc.oneof(text.map((s) => encodeURIComponent(s.toWellFormed())), nasty, fc.constantFrom("fuzz-a", "fuzz-b", "night-drive", "%73entinel-link"));
const query = fc.array(fc.tuple(fc.oneof(fc.constantFrom("days", "status", "limit", "before", "eid", "utm_source", "ref", "fbclid", "tz", "from", "to"), printable), text), { maxLength: 5 })
  .map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${encodeURIComponent(k.toWellFormed())}=${encodeURIComponent(v.toWellFormed())}`).join("&")}` : ""));
const headers = fc.record(
  {
    "content-type": fc.constantFrom("application/json", "application/json; charset=utf-16", "text/plain", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "", "*/*"),
    authorization: fc.oneof({ weight: 4, arbitrary: fc.constant(`Bearer ${TOKEN}`) }, { weight: 1, arbitrary: printable }, { weight: 1, arbitrary: printable.map((t) => `Bearer ${t}`) }),
    "user-agent": fc.oneof(fc.constant(HUMAN_UA), printable),
    "x-forwarded-for": printable,
    cookie: printable,
    accept: printable,
    referer: printable,
    "sec-purpose": fc.constantFrom("prefetch", "prefetch;prerender"),
    "x-request-id": printable,
  },
  { requiredKeys: [] },
);

/** Would this request, once the URL is normalised and decoded, legitimately address the sentinel? */
function aimsAtSentinel(url: string): boolean {
  const path = new URL(url).pathname;
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // Undecodable: cannot name the sentinel.
  }
  return decoded.split("/").includes(SENTINEL);
}

let app: TestApp;
let sentinelBefore: { api: string; rows: string };

const sentinelNow = async () => ({
  api: await (await app.api("GET", `/api/links/${SENTINEL}`)).text(),
  rows: JSON.stringify([
    app.db.query("SELECT * FROM links WHERE slug = ?").all(SENTINEL),
    app.db.query("SELECT d.* FROM destinations d JOIN links l ON l.id = d.link_id WHERE l.slug = ? ORDER BY d.id").all(SENTINEL),
  ]),
});

/** Sends one request; a 5xx fails the property with what was sent. */
async function send(method: string, url: string, init: { headers?: Record<string, string>; body?: string } = {}) {
  let res: Response;
  try {
    res = await fetch(url, { method, redirect: "manual", headers: init.headers, body: method === "GET" || method === "HEAD" ? undefined : init.body });
  } catch (err) {
    // The client refused to build the request (an invalid URL or header): nothing reached the server.
    if (err instanceof TypeError || /invalid|URL|header/i.test(String(err))) return null;
    throw err;
  }
  await res.arrayBuffer();
  if (res.status >= 500) throw new Error(`${method} ${url} answered ${res.status}`);
  return res.status;
}

describe("fuzzing", () => {
  beforeAll(async () => {
    app = await startApp({ META_PIXEL_ID: "1234567890", META_ACCESS_TOKEN: "EAAB-fuzz", META_GRAPH_URL: "http://127.0.0.1:9" });
    await app.createLink(release(SENTINEL, { pixelId: "9876543210", clickEventName: "Subscribe", artist: "Sentinel ✓" }));
    await app.createLink(release("fuzz-a"));
    await app.createLink({ ...release("fuzz-b"), type: "bio" });
    sentinelBefore = await sentinelNow();
  });

  afterAll(async () => {
    await app.close();
  });

  const assertIntact = async () => {
    expect((await fetch(`${app.base}/healthz`)).status).toBe(200);
    expect(await sentinelNow()).toEqual(sentinelBefore);
  };

  it("the JSON API: random and hostile bodies, paths, queries and headers", async () => {
    const request = fc.oneof(
      fc.record({ method: fc.constant("POST"), path: fc.constant("/api/links"), q: fc.constant(""), body, headers }),
      fc.record({ method: fc.constantFrom("PATCH", "PUT", "GET", "DELETE"), path: segment.map((s) => `/api/links/${s}`), q: fc.constant(""), body, headers }),
      fc.record({ method: fc.constantFrom("GET", "POST"), path: segment.map((s) => `/api/links/${s}/stats`), q: query, body, headers }),
      // Auto-fill (issue 9) and link health: the catalogues point at a dead local port, so nothing leaves the machine.
      fc.record({ method: fc.constantFrom("POST", "GET"), path: fc.constant("/api/autofill"), q: query, body, headers }),
      fc.record({ method: fc.constantFrom("POST", "GET"), path: fc.tuple(segment, fc.constantFrom("autofill", "refill", "health")).map(([s, r]) => `/api/links/${s}/${r}`), q: query, body, headers }),
      fc.record({ method: fc.constantFrom("GET", "POST", "DELETE"), path: fc.constantFrom("/api/events", "/api/links", "/api/stats", "/api/openapi.json", "/metrics"), q: query, body, headers }),
      fc.record({ method: fc.constantFrom("GET", "PATCH", "OPTIONS"), path: fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => `/api/${s.join("/")}`), q: query, body, headers }),
    );
    await fc.assert(
      fc.asyncProperty(request, async ({ method, path, q, body, headers }) => {
        let url = `${app.base}${path}${q}`;
        let m = method;
        try {
          if (aimsAtSentinel(url) && m !== "GET") m = "GET";
        } catch {
          return; // not a URL at all
        }
        await send(m, url, { headers: headers as Record<string, string>, body });
      }),
      { numRuns: RUNS },
    );
    await assertIntact();
  }, 60_000);

  it("the public routes: pages, click-outs and the ack beacon", async () => {
    const request = fc.oneof(
      fc.record({ method: fc.constantFrom("GET", "HEAD"), path: segment.map((s) => `/${s}`), q: query, body: fc.constant(undefined), headers }),
      fc.record({ method: fc.constantFrom("GET", "HEAD"), path: fc.tuple(segment, segment).map(([s, k]) => `/${s}/go/${k}`), q: query, body: fc.constant(undefined), headers }),
      fc.record({ method: fc.constantFrom("GET", "HEAD"), path: fc.constantFrom("/sentinel-link/go/spotify", "/fuzz-a/go/spotify", "/fuzz-b/go/featured", "/sentinel-link"), q: query, body: fc.constant(undefined), headers }),
      fc.record({ method: fc.constant("POST"), path: segment.map((s) => `/${s}/ack`), q: query, body: fc.oneof(text, huge), headers }),
      fc.record({ method: fc.constantFrom("POST", "PUT", "DELETE", "PATCH"), path: fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => `/${s.join("/")}`), q: query, body, headers }),
    );
    await fc.assert(
      fc.asyncProperty(request, async ({ method, path, q, body, headers }) => {
        try {
          new URL(`${app.base}${path}${q}`);
        } catch {
          return;
        }
        const status = await send(method, `${app.base}${path}${q}`, { headers: headers as Record<string, string>, body });
        // A click-out only ever redirects to a stored destination.
        if (status === 302 && !/\/(sentinel-link|fuzz-a|fuzz-b|night-drive)\//.test(path)) throw new Error(`unexpected redirect for ${path}`);
      }),
      { numRuns: RUNS },
    );
    await assertIntact();
  }, 60_000);

  it("the fan signup form and unsubscribe links: any form body, encoding and token", async () => {
    // Signups are on for one fresh link only (earlier properties may have edited or deleted
    // fuzz-a); the sentinel has no form and must stay untouched.
    await app.api("POST", "/api/links", release("fuzz-signup"));
    const withForm = app.db.query<{ id: number }, [string]>("SELECT id FROM links WHERE slug = ?").get("fuzz-signup")!.id;
    app.db.query("INSERT OR REPLACE INTO link_options (link_id, email_signup) VALUES (?, 1)").run(withForm);
    const field = fc.oneof(text, fc.emailAddress(), fc.constantFrom("on", "", "fan@example.com", "FAN@EXAMPLE.COM "));
    const fields = fc.record({ email: field, name: field, consent: field, website: field, t: field }, { requiredKeys: [] });
    const encoded = fc.oneof(
      fields.map((f) => ({ type: "application/x-www-form-urlencoded", body: new URLSearchParams(Object.entries(f).map(([k, v]) => [k, v.toWellFormed()])).toString() })),
      fields.map((f) => ({ type: "application/json", body: JSON.stringify(f) })),
      fields.map((f) => ({ type: "multipart/form-data; boundary=fuzz", body: Object.entries(f).map(([k, v]) => `--fuzz\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join("") + "--fuzz--\r\n" })),
      fc.record({ type: fc.constantFrom("application/x-www-form-urlencoded", "multipart/form-data", "application/json", "text/plain"), body: fc.oneof(text, huge) }),
    );
    const request = fc.oneof(
      fc.record({ method: fc.constant("POST"), path: fc.oneof(fc.constant("/fuzz-signup/subscribe"), segment.map((s) => `/${s}/subscribe`)), encoded, accept: fc.constantFrom("text/html", "application/json", "*/*") }),
      fc.record({ method: fc.constantFrom("GET", "POST"), path: segment.map((s) => `/u/${s}`), encoded, accept: fc.constant("text/html") }),
    );
    await fc.assert(
      fc.asyncProperty(request, headers, async ({ method, path, encoded, accept }, h) => {
        try {
          new URL(app.base + path);
        } catch {
          return;
        }
        await send(method, app.base + path, { headers: { ...(h as Record<string, string>), "content-type": encoded.type, accept }, body: encoded.body });
      }),
      { numRuns: RUNS },
    );
    await assertIntact();
  }, 60_000);

  it("redirects only to stored destinations, whatever the query and headers say", async () => {
    const stored = new Set([...JSON.parse(sentinelBefore.api).destinations.map((d: { url: string }) => d.url)]);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("spotify", "apple-music"), query, headers, async (key, q, h) => {
        const res = await fetch(`${app.base}/${SENTINEL}/go/${key}${q}`, { redirect: "manual", headers: h as Record<string, string> }).catch(() => null);
        if (!res) return;
        expect(res.status).toBe(302);
        expect(stored.has(res.headers.get("location")!)).toBe(true);
      }),
      { numRuns: Math.ceil(RUNS / 2) },
    );
    await assertIntact();
  }, 60_000);
});

describe("fuzzing the admin's forms", () => {
  it("random, hostile and forged form posts never answer 5xx nor touch a link they were not aimed at", async () => {
    const admin = await startApp({ ADMIN_PASSWORD: "correct-horse-battery" });
    try {
      await admin.createLink(release(SENTINEL, { pixelId: "9876543210", artist: "Sentinel ✓" }));
      await admin.createLink(release("fuzz-a"));
      await admin.createLink({ ...release("fuzz-bio"), type: "bio" });
      const before = await (await admin.api("GET", `/api/links/${SENTINEL}`)).text();
      const client = new AdminClient(admin);
      expect((await client.signIn("correct-horse-battery")).status).toBeLessThan(400);
      expect(client.csrf).not.toBe("");

      const names = [
        "slug", "type", "title", "artist", "bio", "artworkUrl", "published", "featuredSlug", "pixelId", "accessToken", "clearAccessToken",
        "clickEvent", "clickEventCustom", "emailSignup", "consentMode", "limitedDataUse", "testEventCode", "name", "action", "preset",
        "source", "medium", "campaign", "content", "term", "link", "q", "password", "confirm", "_csrf", "timeZone", "rawRetentionDays",
        "autoRoute", "autoRouteDelayMs", "deviceOrder",
        ...[0, 1, 9].flatMap((i) => [`presave-${i}-url`, `presave-${i}-label`, `presave-${i}-present`, `accept-${i}`, `cand-${i}-url`, `cand-${i}-service`]), "releaseDate", "releaseTime", "releaseTimeZone", "hideBroken", "use-title", "use-artist", "use-artworkUrl",
        ...[0, 1, 2, 39, 40, 99].flatMap((i) => ["url", "label", "pos", "remove", "present", "date", "city", "venue", "ticketUrl", "countries", "hiddenIn"].flatMap((f) => [`dest-${i}-${f}`, `social-${i}-${f}`, `tour-${i}-${f}`])),
      ];
      const form = fc.dictionary(fc.oneof(fc.constantFrom(...names), printable), fc.oneof(text, fc.constantFrom("on", "release", "bio", "Lead", "opt-in", "2026-02-30", "https://open.spotify.com/track/x")), { maxKeys: 14 });
      const target = fc.oneof(
        fc.constantFrom("/admin/links", "/admin/settings", "/admin/settings/tokens", "/admin/settings/link-check", "/admin/fans/settings", "/admin/stats/settings", "/admin/logout", "/admin/login", "/admin/setup"),
        fc.tuple(fc.oneof(fc.constantFrom("fuzz-a", "fuzz-bio"), segment), fc.constantFrom("", "/publish", "/delete", "/check", "/autofill")).map(([s, tail]) => `/admin/links/${s}${tail}`),
        fc.oneof(segment, fc.constantFrom("1", "-1", "99999999999999999999")).map((id) => `/admin/settings/tokens/${id}/revoke`),
        fc.oneof(segment, fc.constantFrom("1", "0")).map((id) => `/admin/fans/${id}/delete`),
      );
      const upload = fc.option(fc.uint8Array({ maxLength: 2048 }), { nil: undefined });
      const csrf = fc.oneof({ weight: 5, arbitrary: fc.constant("session") }, { weight: 1, arbitrary: printable });
      await fc.assert(
        fc.asyncProperty(target, form, upload, csrf, async (path, fields, file, token) => {
          const url = `${admin.base}${path}`;
          try {
            if (aimsAtSentinel(url)) return;
          } catch {
            return;
          }
          const all: Record<string, string | Blob> = { ...Object.fromEntries(Object.entries(fields).map(([k, v]) => [k.toWellFormed(), v.toWellFormed()])), _csrf: token === "session" ? client.csrf : token };
          if (file) all.artworkFile = new Blob([file], { type: "image/png" });
          let res: Response;
          try {
            res = await client.post(path, all);
          } catch {
            return; // the client could not build the request
          }
          await res.arrayBuffer();
          if (res.status >= 500) throw new Error(`POST ${path} answered ${res.status}`);
          // A sign-out or a password change ends the session: sign in again and go on.
          if (res.status === 303 && /\/admin\/login/.test(res.headers.get("location") ?? "")) await client.signIn("correct-horse-battery");
        }),
        { numRuns: RUNS },
      );
      expect((await fetch(`${admin.base}/healthz`)).status).toBe(200);
      expect(await (await admin.api("GET", `/api/links/${SENTINEL}`)).text()).toBe(before);
    } finally {
      await admin.close();
    }
  }, 60_000);
});
