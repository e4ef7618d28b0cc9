import { Elysia } from "elysia";
import type { Tally } from "../clickout/records";
import type { DeliveryLog } from "../tracking/log";
import type { TokenRepo } from "../api/tokens";
import { apiAuth } from "../api/auth";
import { securityHeadersPlugin } from "../plugins/security";
import { LATENCY_BUCKETS, latency } from "./latency";
import type { BackupStatus } from "./scheduled-backups";

export interface MetricsSource {
  /** Views and click-outs committed by this process: the group-commit writer's tally. */
  traffic: Readonly<Tally>;
  delivery: Pick<DeliveryLog, "counters">;
  startedAt: number;
  /** Scheduled backups, when the app runs them. */
  backups?: () => Readonly<BackupStatus>;
}

const num = (n: number) => (Number.isInteger(n) ? String(n) : n.toPrecision(9).replace(/\.?0+$/, ""));

/** The Prometheus text exposition format (version 0.0.4). */
export function renderMetrics({ traffic, delivery, startedAt, backups }: MetricsSource): string {
  const out: string[] = [];
  const family = (name: string, type: string, help: string) => out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);

  family("outro_page_views_total", "counter", "Page views committed since the process started (visitor: human = a fan, other = bots, previews, HEAD, prefetch).");
  out.push(`outro_page_views_total{visitor="human"} ${traffic[0]}`, `outro_page_views_total{visitor="other"} ${traffic[1]}`);
  family("outro_click_outs_total", "counter", "Click-outs committed since the process started.");
  out.push(`outro_click_outs_total{visitor="human"} ${traffic[2]}`, `outro_click_outs_total{visitor="other"} ${traffic[3]}`);

  const counters = delivery.counters();
  family("outro_capi_events", "gauge", "Conversions API events in the outbox, by delivery status.");
  for (const [status, n] of Object.entries(counters)) out.push(`outro_capi_events{status="${status}"} ${n}`);
  family("outro_outbox_depth", "gauge", "Conversions API events waiting to be sent.");
  out.push(`outro_outbox_depth ${counters.pending}`);

  family("outro_request_duration_seconds", "histogram", "Time to answer the public pages and click-outs (served pages and redirects).");
  for (const [route, h] of Object.entries(latency)) {
    let cumulative = 0;
    LATENCY_BUCKETS.forEach((le, i) => {
      cumulative += h.counts[i]!;
      out.push(`outro_request_duration_seconds_bucket{route="${route}",le="${le}"} ${cumulative}`);
    });
    out.push(`outro_request_duration_seconds_bucket{route="${route}",le="+Inf"} ${h.count}`);
    out.push(`outro_request_duration_seconds_sum{route="${route}"} ${num(h.sum)}`);
    out.push(`outro_request_duration_seconds_count{route="${route}"} ${h.count}`);
  }

  const b = backups?.();
  if (b?.enabled) {
    // Alert on time() - this growing past the interval: backups have stopped working.
    family("outro_backup_last_success_timestamp_seconds", "gauge", "When the newest scheduled backup in DATA_DIR/backups was written (0: none yet).");
    out.push(`outro_backup_last_success_timestamp_seconds ${Math.floor((b.lastSuccessAt ?? 0) / 1000)}`);
    family("outro_backup_failures_total", "counter", "Scheduled backups that failed since the process started.");
    out.push(`outro_backup_failures_total ${b.failures}`);
  }

  family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
  out.push(`process_resident_memory_bytes ${process.memoryUsage.rss()}`);
  family("process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch in seconds.");
  out.push(`process_start_time_seconds ${Math.floor(startedAt / 1000)}`);
  return `${out.join("\n")}\n`;
}

export interface MetricsDeps extends MetricsSource {
  envToken: string | undefined;
  tokens: TokenRepo;
  clock: () => number;
  securityHeaders: Record<string, string>;
}

/** GET /metrics for Prometheus, behind the API's bearer token. */
export const metricsRoutes = ({ envToken, tokens, clock, securityHeaders, ...source }: MetricsDeps) =>
  new Elysia({ name: "metrics" })
    .use(securityHeadersPlugin(securityHeaders))
    .use(apiAuth(envToken, tokens, clock))
    .get("/metrics", ({ set }) => {
      set.headers["content-type"] = "text/plain; version=0.0.4; charset=utf-8";
      set.headers["cache-control"] = "no-store";
      return renderMetrics(source);
    }, { apiAuth: true, detail: { hide: true } });
