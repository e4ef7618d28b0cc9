import { Elysia } from "elysia";
import type { Database } from "bun:sqlite";
import type { Config } from "../config";
import type { LinkService } from "../links/service";
import type { Link } from "../links/model";
import type { SettingsService } from "../settings/service";
import type { TokenRepo } from "../api/tokens";
import { adminContext, adminKit, formText } from "../admin/context";
import { DIMENSION_TABLES, statsService, type Range, type RangeQuery } from "./service";
import { csvLine, rawClicksCsv } from "./export";
import { isTimeZone } from "./time-zone";
import { StatsDashboard, type StatsTable } from "../../views/stats/dashboard";
import { AdminMessage, type Shell } from "../../views/admin/layout";
import css from "./stats.css" with { type: "text" };

export interface StatsDeps {
  config: Config;
  db: Database;
  links: LinkService;
  settings: SettingsService;
  tokens: TokenRepo;
  clock?: () => number;
}

/** Query values from the range picker and the API: strings to numbers, blanks dropped. */
function rangeQuery(query: Record<string, string | undefined>): RangeQuery {
  const q: RangeQuery = {};
  const days = Number(query.days);
  if (query.from) q.from = String(query.from).slice(0, 10);
  if (query.to) q.to = String(query.to).slice(0, 10);
  if (!q.from && Number.isInteger(days) && days >= 1 && days <= 400) q.days = days;
  if (query.tz) q.tz = String(query.tz).slice(0, 64);
  return q;
}

const encodeRange = (r: Range) => `from=${r.from}&to=${r.to}&tz=${encodeURIComponent(r.timeZone)}`;

/**
 * Analytics pages under /admin/stats: the instance and per-link dashboards (SVG charts with their
 * tables), CSV exports of every table and of raw click-outs, and the stats settings. Guarded by
 * the admin's own session macro (`{ admin: true }`, CSRF on POST). The rollups themselves are
 * folded between click batches on the click writer's connection (src/clickout/writer.ts).
 */
export function statsRoutes(deps: StatsDeps) {
  const clock = deps.clock ?? Date.now;
  const kit = adminKit({ ...deps, clock });
  const stats = statsService(deps.db, clock);

  const find = (slug: string): Link | null => {
    try {
      return deps.links.get(slug);
    } catch {
      return null;
    }
  };

  /** The range asked for, or the last 28 days when it is not valid. */
  const rangeOf = (query: Record<string, string | undefined>): { range: Range; days: number | null } => {
    const q = rangeQuery(query);
    try {
      return { range: stats.range(q), days: q.from ? null : (q.days ?? 28) };
    } catch {
      return { range: stats.range({ days: 28 }), days: 28 };
    }
  };

  type Figures = ReturnType<typeof stats.instance> | ReturnType<typeof stats.link>;
  const tablesOf = (s: Figures, link: Link | null): StatsTable[] => {
    const dims = "dimensions" in s && s.dimensions ? s.dimensions : null;
    const tables: StatsTable[] = [];
    if (link && "destinations" in s) {
      tables.push({
        id: "destinations", title: "Destination", none: "(none)", clicksOnly: true,
        rows: s.destinations.map((d) => ({ value: d.label ?? d.service ?? d.key, views: 0, clicks: d.clicks, ctr: s.clicks ? d.clicks / s.clicks : 0 })),
      });
    }
    if ("links" in s) {
      tables.push({ id: "links", title: "Link", none: "(deleted link)", rows: s.links.map((l) => ({ value: l.slug ? `/${l.slug}` : null, views: l.views, clicks: l.clicks, ctr: l.ctr })) });
    }
    const services = "services" in s ? s.services ?? [] : [];
    tables.push({
      id: "services", title: "Service", none: "(other links)", clicksOnly: true,
      rows: services.map((x) => ({ value: x.service, views: 0, clicks: x.clicks, ctr: s.clicks ? x.clicks / s.clicks : 0 })),
    });
    const routes = "routes" in s ? s.routes ?? [] : [];
    tables.push({
      id: "routes", title: "Tap or auto-route", none: "(tap)", clicksOnly: true,
      rows: routes.map((x) => ({ value: x.route === "auto" ? "auto-route (returning fan)" : "tap", views: 0, clicks: x.clicks, ctr: s.clicks ? x.clicks / s.clicks : 0 })),
    });
    if (dims) for (const t of DIMENSION_TABLES) tables.push({ id: t.id, title: t.title, none: t.none, rows: dims[t.id] });
    return tables;
  };

  const figures = (link: Link | null, range: Range) => (link ? stats.link(link, range) : stats.instance(range));

  const page = (shell: Shell, link: Link | null, query: Record<string, string | undefined>, notice?: { saved?: string; error?: string }) => {
    const { range, days } = rangeOf(query);
    const s = figures(link, range);
    const settings = deps.settings.get();
    return (
      <StatsDashboard
        shell={shell}
        heading={link ? link.title : "All links"}
        slug={link?.slug ?? null}
        range={{ from: range.from, to: range.to, timeZone: range.timeZone, days }}
        totals={{ views: s.views, visitors: s.visitors, clicks: s.clicks, ctr: s.ctr, excluded: s.excluded }}
        days={s.days}
        tables={tablesOf(s, link)}
        links={deps.links.list().map((l) => ({ slug: l.slug, title: l.title }))}
        rangeQuery={encodeRange(range)}
        settings={link ? undefined : { timeZone: settings.timeZone, rawRetentionDays: settings.rawRetentionDays, ...notice }}
      />
    );
  };

  const csvOf = (link: Link | null, query: Record<string, string | undefined>, set: { status?: number | string; headers: Record<string, string | number> }) => {
    const { range } = rangeOf(query);
    const s = figures(link, range);
    const name = `${link ? link.slug : "all"}-${query.table ?? "days"}-${range.from}-${range.to}.csv`;
    set.headers["content-type"] = "text/csv; charset=utf-8";
    set.headers["content-disposition"] = `attachment; filename="${name}"`;
    if (!query.table || query.table === "days") {
      return [csvLine(["date", "page_views", "visitors", "click_outs", "ctr"]), ...s.days.map((d) => csvLine([d.date, d.views, d.visitors, d.clicks, d.ctr]))].join("");
    }
    const table = tablesOf(s, link).find((t) => t.id === query.table);
    if (!table) {
      set.status = 404;
      set.headers["content-type"] = "text/plain; charset=utf-8";
      return "No such table.";
    }
    return [
      csvLine([table.id, "page_views", "click_outs", table.clicksOnly ? "share" : "ctr"]),
      ...table.rows.map((r) => csvLine([r.value ?? table.none, table.clicksOnly ? "" : r.views, r.clicks, Math.round(r.ctr * 10_000) / 10_000])),
    ].join("");
  };

  const rawCsv = (link: Link | null, query: Record<string, string | undefined>) => {
    const { range } = rangeOf(query);
    const name = `${link ? link.slug : "all"}-click-outs-${range.from}-${range.to}.csv`;
    return new Response(rawClicksCsv(deps.db, { linkId: link?.id ?? null, from: range.fromHour * 3_600_000, to: range.toHour * 3_600_000 }), {
      headers: { ...ADMIN_CSV_HEADERS, "content-disposition": `attachment; filename="${name}"` },
    });
  };

  return new Elysia({ name: "stats", prefix: "/admin/stats" })
    .use(adminContext(kit))
    .get("/stats.css", () => new Response(css, { headers: { "content-type": "text/css; charset=utf-8", "cache-control": "public, max-age=3600" } }))
    .get("/", ({ shell, query }) => page(shell, null, query), { admin: true })
    .get("/export.csv", ({ query, set }) => csvOf(null, query, set), { admin: true })
    .get("/clicks.csv", ({ query }) => rawCsv(null, query), { admin: true })
    .get("/link", ({ query, redirect }) => redirect(`/admin/stats/link/${encodeURIComponent(String(query.slug ?? "").slice(0, 64))}`, 303), { admin: true })
    .get("/link/:slug", ({ shell, params, query, set }) => {
      const link = find(params.slug);
      if (!link) return notFoundPage(shell, set);
      return page(shell, link, query);
    }, { admin: true })
    .get("/link/:slug/export.csv", ({ shell, params, query, set }) => {
      const link = find(params.slug);
      return link ? csvOf(link, query, set) : notFoundPage(shell, set);
    }, { admin: true })
    .get("/link/:slug/clicks.csv", ({ shell, params, query, set }) => {
      const link = find(params.slug);
      return link ? rawCsv(link, query) : notFoundPage(shell, set);
    }, { admin: true })
    .post("/settings", ({ shell, body, set }) => {
      const text = formText(body);
      const timeZone = text("timeZone", 64).trim();
      const retention = Number(text("rawRetentionDays", 10));
      if (!isTimeZone(timeZone)) {
        set.status = 422;
        return page(shell, null, {}, { error: `“${timeZone}” is not a time zone. Use a name such as Europe/Berlin or America/New_York.` });
      }
      if (!Number.isInteger(retention) || retention < 0 || retention > 36_500) {
        set.status = 422;
        return page(shell, null, {}, { error: "Keep raw events for a whole number of days, from 0 (forever) to 36500." });
      }
      deps.settings.set("timeZone", timeZone);
      deps.settings.set("rawRetentionDays", retention);
      return page(shell, null, {}, { saved: "Saved. New days start in this time zone." });
    }, { admin: true });
}

const ADMIN_CSV_HEADERS = { "content-type": "text/csv; charset=utf-8", "cache-control": "no-store", "x-content-type-options": "nosniff" };

function notFoundPage(shell: Shell, set: { status?: number | string }) {
  set.status = 404;
  return <StatsNotFound shell={shell} />;
}

const StatsNotFound = ({ shell }: { shell: Shell }) => (
  <AdminMessage shell={shell} title="Not found" heading="No such link">
    <p>There is no link with that address. <a href="/admin/stats">See all stats</a>.</p>
  </AdminMessage>
);
