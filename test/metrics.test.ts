import { describe, expect, it } from "bun:test";
import { HUMAN_UA, TOKEN, release, startApp } from "./helpers";
import { Histogram, LATENCY_BUCKETS } from "../src/ops/latency";
import { renderMetrics } from "../src/ops/metrics";

/** Parses the Prometheus text format strictly enough to catch a malformed line. */
function parse(text: string) {
  const samples = new Map<string, number>();
  const types = new Map<string, string>();
  expect(text.endsWith("\n")).toBe(true);
  for (const line of text.trimEnd().split("\n")) {
    if (line.startsWith("# HELP ")) continue;
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      types.set(type[1]!, type[2]!);
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*\})? (-?[0-9.e+-]+|\+Inf|NaN)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    samples.set(`${m[1]}${m[2] ?? ""}`, Number(m[3]));
    const family = m[1]!.replace(/_(bucket|sum|count)$/, "");
    expect(types.has(m[1]!) || types.get(family) === "histogram").toBe(true);
  }
  return { samples, types };
}

describe("GET /metrics", () => {
  it("needs the API's bearer token", async () => {
    const app = await startApp();
    try {
      expect((await app.req("/metrics")).status).toBe(401);
      expect((await app.req("/metrics", { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
      const res = await app.req("/metrics", { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    } finally {
      await app.close();
    }
  });

  it("counts page views and click-outs by visitor, CAPI events by status, outbox depth and latency", async () => {
    const app = await startApp({ META_PIXEL_ID: "1234567890", META_ACCESS_TOKEN: "EAAB-test", META_GRAPH_URL: "http://127.0.0.1:9" });
    try {
      const scrape = async () => parse(await (await app.req("/metrics", { headers: { authorization: `Bearer ${TOKEN}` } })).text()).samples;
      const before = await scrape();
      await app.createLink(release());
      for (let i = 0; i < 3; i++) expect((await app.req("/night-drive", { headers: { "user-agent": HUMAN_UA } })).status).toBe(200);
      await app.req("/night-drive", { headers: { "user-agent": "Googlebot/2.1 (+http://www.google.com/bot.html)" } });
      for (const eid of ["metrics-click-01", "metrics-click-02", "metrics-click-02"]) {
        expect((await app.req(`/night-drive/go/spotify?eid=${eid}`, { headers: { "user-agent": HUMAN_UA } })).status).toBe(302);
      }
      await app.req("/night-drive/go/spotify?eid=metrics-bot-0001", { method: "HEAD" });
      expect((await app.req("/night-drive/go/nope")).status).toBe(404);

      const after = await scrape();
      const delta = (k: string) => after.get(k)! - (before.get(k) ?? 0);
      expect(after.get('outro_page_views_total{visitor="human"}')).toBe(3);
      expect(after.get('outro_page_views_total{visitor="other"}')).toBe(1);
      // The repeated event id is one click; HEAD is counted apart.
      expect(after.get('outro_click_outs_total{visitor="human"}')).toBe(2);
      expect(after.get('outro_click_outs_total{visitor="other"}')).toBe(1);
      // 3 PageViews + 2 Leads reached the outbox; the fake-less Graph URL keeps them pending or failed.
      const statuses = ["pending", "sent", "failed", "expired"].map((s) => after.get(`outro_capi_events{status="${s}"}`)!);
      expect(statuses.reduce((a, b) => a + b, 0)).toBe(5);
      expect(after.get("outro_outbox_depth")).toBe(after.get('outro_capi_events{status="pending"}')!);
      // Latency: every served page and redirect observed once, buckets cumulative up to +Inf.
      expect(delta('outro_request_duration_seconds_count{route="page"}')).toBe(4);
      expect(delta('outro_request_duration_seconds_count{route="clickout"}')).toBe(4);
      for (const route of ["page", "clickout"]) {
        const counts = [...LATENCY_BUCKETS.map(String), "+Inf"].map((le) => after.get(`outro_request_duration_seconds_bucket{route="${route}",le="${le}"}`)!);
        expect(counts.every((n, i) => i === 0 || n >= counts[i - 1]!)).toBe(true);
        expect(counts.at(-1)).toBe(after.get(`outro_request_duration_seconds_count{route="${route}"}`)!);
        expect(after.get(`outro_request_duration_seconds_sum{route="${route}"}`)!).toBeGreaterThan(0);
      }
      expect(after.get("process_resident_memory_bytes")!).toBeGreaterThan(1e6);
    } finally {
      await app.close();
    }
  });

  it("renders histograms with cumulative buckets", () => {
    const h = new Histogram();
    for (const s of [0.0001, 0.002, 0.002, 3]) h.observe(s);
    expect([...h.counts]).toEqual([1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(h.count).toBe(4);
    const text = renderMetrics({ traffic: [1, 2, 3, 4], delivery: { counters: () => ({ pending: 5, sent: 6, failed: 7, expired: 8 }) }, startedAt: 1_700_000_000_000 });
    const { samples, types } = parse(text);
    expect(types.get("outro_request_duration_seconds")).toBe("histogram");
    expect(types.get("outro_click_outs_total")).toBe("counter");
    expect(samples.get('outro_click_outs_total{visitor="other"}')).toBe(4);
    expect(samples.get("outro_outbox_depth")).toBe(5);
    expect(samples.get('outro_capi_events{status="expired"}')).toBe(8);
    expect(samples.get("process_start_time_seconds")).toBe(1_700_000_000);
    // Backup gauges appear only while scheduled backups are on.
    expect(samples.has("outro_backup_failures_total")).toBe(false);
    const on = parse(renderMetrics({ traffic: [0, 0, 0, 0], delivery: { counters: () => ({ pending: 0, sent: 0, failed: 0, expired: 0 }) }, startedAt: 0, backups: () => ({ enabled: true, lastSuccessAt: null, failures: 2 }) })).samples;
    expect(on.get("outro_backup_last_success_timestamp_seconds")).toBe(0);
    expect(on.get("outro_backup_failures_total")).toBe(2);
  });
});
