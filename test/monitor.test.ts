import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { checkUrl, checkerUserAgent, MAX_REDIRECTS, retryAfterMs } from "../src/monitor/check-url";
import { rateLimiter } from "../src/monitor/rate-limit";
import { answerKind, nextHealth, type CheckOutcome, type HealthState } from "../src/monitor/verdict";
import { startFakeDestinations, type FakeDestinations } from "./fake-destinations";

const UA = checkerUserAgent("https://outro.example");
const fast = () => rateLimiter({ hostGapMs: 0, paceMs: 0, maxParallel: 8 });
const check = (url: string, timeoutMs = 2000) => checkUrl(url, { limiter: fast(), timeoutMs, userAgent: UA });

describe("link check against a local server", () => {
  let site: FakeDestinations;
  beforeAll(() => { site = startFakeDestinations(); });
  afterAll(() => site.close());

  it("answers the final status of 200, 404, 410, 503 and 403", async () => {
    expect((await check(`${site.url}/ok`)).status).toBe(200);
    expect(await check(`${site.url}/gone`)).toMatchObject({ status: 404, answer: expect.stringContaining("HTTP 404") });
    expect((await check(`${site.url}/removed`)).status).toBe(410);
    expect((await check(`${site.url}/down`)).status).toBe(503);
    expect((await check(`${site.url}/blocked`)).status).toBe(403);
  });

  it("asks HEAD first and GET when HEAD is refused", async () => {
    site.requests.length = 0;
    const out = await check(`${site.url}/no-head`);
    expect(out.status).toBe(200);
    expect(site.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["HEAD /no-head", "GET /no-head"]);
  });

  it("asks again with GET before believing a HEAD 404 (a server that mishandles HEAD stays ok)", async () => {
    expect((await check(`${site.url}/head-broken`)).status).toBe(200);
  });

  it("a live page costs one HEAD request, with an honest User-Agent", async () => {
    site.requests.length = 0;
    await check(`${site.url}/ok`);
    expect(site.requests.map((r) => r.method)).toEqual(["HEAD"]);
    expect(site.requests[0]!.userAgent).toBe(UA);
    expect(UA).toMatch(/^Outro-LinkCheck\/1\.0 \(dead-link monitor.*\+https:\/\/outro\.example\)$/);
  });

  it("follows a redirect chain to its end", async () => {
    site.requests.length = 0;
    const out = await check(`${site.url}/hop/3`);
    expect(out).toEqual({ status: 200, answer: "HTTP 200 OK, after 3 redirects" });
    expect(site.requests.map((r) => r.path)).toEqual(["/hop/3", "/hop/2", "/hop/1", "/hop/0"]);
  });

  it("gives up on a redirect loop after a bounded number of hops", async () => {
    site.requests.length = 0;
    const out = await check(`${site.url}/loop`);
    expect(out).toEqual({ status: null, answer: `more than ${MAX_REDIRECTS} redirects` });
    expect(site.requests.length).toBe(MAX_REDIRECTS + 1);
  });

  it("times out on a server that never answers", async () => {
    const out = await check(`${site.url}/hang`, 200);
    expect(out).toEqual({ status: null, answer: "no answer within 0.2 s (timed out)" });
  });

  it("names a refused connection", async () => {
    const closed = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("") });
    const port = closed.port;
    closed.stop(true);
    const out = await check(`http://127.0.0.1:${port}/x`);
    expect(out.status).toBeNull();
    expect(out.answer).toBe("connection refused");
  });
});

describe("rate limiting", () => {
  it("never sends two requests to one host at once, and pauses between them", async () => {
    const site = startFakeDestinations({ delayMs: 15 });
    try {
      const gap = 40;
      const limiter = rateLimiter({ hostGapMs: gap, paceMs: 0, maxParallel: 8 });
      // Two of these ask HEAD then GET, one follows a redirect: every request of every check is paced.
      const paths = ["/ok", "/no-head", "/hop/1", "/a", "/b", "/head-broken"];
      await Promise.all(paths.map((p) => checkUrl(`${site.url}${p}`, { limiter, timeoutMs: 2000, userAgent: UA })));
      const seen = [...site.requests].sort((a, b) => a.arrivedAt - b.arrivedAt);
      expect(seen.length).toBe(9);
      expect(site.maxInFlight).toBe(1);
      for (let i = 1; i < seen.length; i++) {
        // Each request arrived after the previous one was answered, plus the pause (a lower bound:
        // a slow machine only makes the gap larger). 2 ms of slack for timer rounding.
        expect(seen[i]!.arrivedAt - seen[i - 1]!.answeredAt).toBeGreaterThanOrEqual(gap - 2);
      }
    } finally {
      site.close();
    }
  });

  it("lets different hosts proceed side by side, within the global cap", async () => {
    const a = startFakeDestinations({ delayMs: 5 });
    const b = startFakeDestinations({ delayMs: 5 });
    try {
      const limiter = rateLimiter({ hostGapMs: 30, paceMs: 0, maxParallel: 2 });
      const urls = [1, 2, 3].flatMap((n) => [`${a.url}/ok?${n}`, `${b.url}/ok?${n}`]);
      await Promise.all(urls.map((u) => checkUrl(u, { limiter, timeoutMs: 2000, userAgent: UA })));
      expect(a.maxInFlight).toBe(1);
      expect(b.maxInFlight).toBe(1);
      // Host b's first request did not wait for all of host a's.
      const lastA = Math.max(...a.requests.map((r) => r.arrivedAt));
      expect(Math.min(...b.requests.map((r) => r.arrivedAt))).toBeLessThan(lastA);
    } finally {
      a.close();
      b.close();
    }
  });

  it("waits what a 429's Retry-After asks before the host's next request", async () => {
    const site = startFakeDestinations();
    try {
      const limiter = rateLimiter({ hostGapMs: 0, paceMs: 0, maxParallel: 8 });
      const out = await Promise.all(["/slow-down", "/ok"].map((p) => checkUrl(`${site.url}${p}`, { limiter, timeoutMs: 2000, userAgent: UA })));
      expect(out[0]!.status).toBe(429);
      // No GET after a 429: asking again at once is what the host asked us not to do.
      expect(site.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["HEAD /slow-down", "HEAD /ok"]);
      expect(site.requests[1]!.arrivedAt - site.requests[0]!.answeredAt).toBeGreaterThanOrEqual(1000 - 2);
    } finally {
      site.close();
    }
  });

  it("reads Retry-After as seconds or a date", () => {
    const now = Date.UTC(2026, 11, 2, 6, 0, 0);
    expect(retryAfterMs("120")).toBe(120_000);
    expect(retryAfterMs(new Date(now + 5000).toUTCString(), now)).toBe(5000);
    expect(retryAfterMs("soon")).toBeNull();
    expect(retryAfterMs(null)).toBeNull();
  });

  it("keeps a global pace between request starts across hosts, and a cap on requests in flight", async () => {
    // Measured where the limiter hands over (not at a server: connection set-up would blur it).
    const pace = 30;
    const limiter = rateLimiter({ hostGapMs: 0, paceMs: pace, maxParallel: 2 });
    const starts: number[] = [];
    let inFlight = 0;
    let most = 0;
    await Promise.all(["a", "b", "c", "d", "e"].map((host) => limiter.run(host, async () => {
      starts.push(performance.now());
      most = Math.max(most, ++inFlight);
      await Bun.sleep(50);
      inFlight--;
    })));
    expect(starts.length).toBe(5);
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(pace - 2);
    expect(most).toBe(2);
  });
});

describe("verdicts and thresholds", () => {
  const T = 1_800_000_000_000;
  const http = (status: number): CheckOutcome => ({ status, answer: `HTTP ${status}` });
  const down: CheckOutcome = { status: null, answer: "no answer within 10 s (timed out)" };
  const run = (outcomes: CheckOutcome[], start: HealthState | null = null) =>
    outcomes.reduce<HealthState | null>((prev, o, i) => nextHealth(prev, o, T + i * 86_400_000), start)!;

  it("classifies answers", () => {
    expect([200, 204, 301, 308].map(answerKind)).toEqual(["ok", "ok", "ok", "ok"]);
    expect([404, 410].map(answerKind)).toEqual(["gone", "gone"]);
    expect([401, 403, 429, 999].map(answerKind)).toEqual(["bot-wall", "bot-wall", "bot-wall", "bot-wall"]);
    expect([500, 502, 503, 400, 451, null].map(answerKind)).toEqual(["failed", "failed", "failed", "failed", "failed", "failed"]);
  });

  it("404 and 410 are broken at the first check", () => {
    expect(run([http(404)])).toMatchObject({ verdict: "broken", failures: 1, brokenSince: T, statusCode: 404 });
    expect(run([http(200), http(410)])).toMatchObject({ verdict: "broken", brokenSince: T + 86_400_000 });
  });

  it("5xx and timeouts are broken only at the second failure in a row", () => {
    expect(run([http(200), http(503)])).toMatchObject({ verdict: "ok", failures: 1, brokenSince: null, answer: "HTTP 503" });
    expect(run([http(503)])).toMatchObject({ verdict: "unknown", failures: 1 });
    expect(run([http(200), http(503), http(503)])).toMatchObject({ verdict: "broken", failures: 2, brokenSince: T + 2 * 86_400_000 });
    expect(run([down, down])).toMatchObject({ verdict: "broken", statusCode: null, answer: down.answer });
    // Not in a row: a success in between starts the count again.
    expect(run([http(503), http(200), http(503)])).toMatchObject({ verdict: "ok", failures: 1 });
  });

  it("bot walls are unknown, never broken, however often they come", () => {
    expect(run([http(403), http(403), http(403)])).toMatchObject({ verdict: "unknown", failures: 0, brokenSince: null });
    expect(run([http(404), http(429)])).toMatchObject({ verdict: "unknown", brokenSince: null });
  });

  it("keeps the first broken day while it stays broken, and forgets it once it works", () => {
    const broken = run([http(404), http(404), down]);
    expect(broken).toMatchObject({ verdict: "broken", brokenSince: T, failures: 3 });
    expect(nextHealth(broken, http(200), T + 9)).toMatchObject({ verdict: "ok", failures: 0, brokenSince: null });
  });
});
