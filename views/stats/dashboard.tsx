import { AdminLayout, Csrf, type Shell } from "../admin/layout";
import { BarChart, LineChart } from "./charts";

export interface TableRow {
  value: string | null;
  views: number;
  clicks: number;
  ctr: number;
}

export interface StatsTable {
  id: string;
  title: string;
  /** How an empty value reads: "(direct)", "(none)"… */
  none: string;
  rows: TableRow[];
  /** Click-out-only tables (per destination, per service) have no views column. */
  clicksOnly?: boolean;
}

export interface DashboardProps {
  shell: Shell;
  /** "All links" or the link's title. */
  heading: string;
  slug: string | null;
  range: { from: string; to: string; timeZone: string; days: number | null };
  totals: { views: number; visitors: number; clicks: number; ctr: number; excluded: { views: number; clicks: number } };
  days: { date: string; views: number; clicks: number; visitors: number; ctr: number }[];
  tables: StatsTable[];
  links: { slug: string; title: string }[];
  /** The query string of the current range, for the CSV links (already URL-encoded). */
  rangeQuery: string;
  settings?: { timeZone: string; rawRetentionDays: number; saved?: string; error?: string };
}

const pct = (r: number) => `${(r * 100).toFixed(1)}%`;
const num = (n: number) => n.toLocaleString("en-US");

const RangePicker = ({ slug, range }: Pick<DashboardProps, "slug" | "range">) => (
  <form method="get" action={slug ? `/admin/stats/link/${encodeURIComponent(slug)}` : "/admin/stats"} class="range">
    <nav class="presets">
      {[7, 28, 90].map((d) => (
        <a href={`?days=${d}`} aria-current={range.days === d ? "page" : undefined} safe>{`${d} days`}</a>
      ))}
    </nav>
    <label>
      From <input type="date" name="from" value={range.from} required />
    </label>
    <label>
      To <input type="date" name="to" value={range.to} required />
    </label>
    <button type="submit" class="secondary small">Show</button>
  </form>
);

const Figure = ({ label, value }: { label: string; value: string }) => (
  <div class="figure">
    <strong safe>{value}</strong>
    <span safe>{label}</span>
  </div>
);

const Table = ({ table, csv }: { table: StatsTable; csv: string }) => (
  <section class="stats-table" id={table.id}>
    <h3 safe>{table.title}</h3>
    {table.rows.length === 0 ? (
      <p class="muted">No fans in this range yet.</p>
    ) : (
      <>
        <BarChart title={table.title} clicksOnly={table.clicksOnly} bars={table.rows.slice(0, 10).map((r) => ({ label: r.value ?? table.none, views: table.clicksOnly ? 0 : r.views, clicks: r.clicks }))} />
        <table class="striped">
          <thead>
            <tr>
              <th safe>{table.title}</th>
              {table.clicksOnly ? "" : <th class="num">Page views</th>}
              <th class="num">Click-outs</th>
              <th class="num">{table.clicksOnly ? "Share" : "CTR"}</th>
            </tr>
          </thead>
          <tbody>
            {table.rows.map((r) => (
              <tr>
                <td safe>{r.value ?? table.none}</td>
                {table.clicksOnly ? "" : <td class="num" safe>{num(r.views)}</td>}
                <td class="num" safe>{num(r.clicks)}</td>
                <td class="num" safe>{pct(r.ctr)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </>
    )}
    <p><a href={csv} download="">Download CSV</a></p>
  </section>
);

export const StatsDashboard = (p: DashboardProps) => {
  const base = p.slug ? `/admin/stats/link/${encodeURIComponent(p.slug)}` : "/admin/stats";
  const csv = (table: string) => `${base}/export.csv?table=${table}&${p.rangeQuery}`;
  return (
    <AdminLayout shell={p.shell} title={`Stats: ${p.heading}`} current="stats">
      <link rel="stylesheet" href="/admin/stats/stats.css?v=1" />
      <hgroup>
        <h1 safe>{p.heading}</h1>
        <p>
          <span safe>{`${p.range.from} to ${p.range.to}, days in ${p.range.timeZone}`}</span>
          {p.slug ? <> · <a href="/admin/stats">All links</a></> : ""}
        </p>
      </hgroup>
      <RangePicker slug={p.slug} range={p.range} />
      <form method="get" action="/admin/stats/link" class="link-picker">
        <select name="slug" aria-label="Link">
          {p.links.map((l) => (
            <option value={l.slug} selected={l.slug === p.slug} safe>{`${l.title} (/${l.slug})`}</option>
          ))}
        </select>
        <button type="submit" class="secondary small">Open link</button>
      </form>
      <div class="figures">
        <Figure label="Page views" value={num(p.totals.views)} />
        <Figure label="Unique visitors (daily, summed)" value={num(p.totals.visitors)} />
        <Figure label="Click-outs" value={num(p.totals.clicks)} />
        <Figure label="Click-through rate" value={pct(p.totals.ctr)} />
        <Figure label="Bots and prefetches (not counted)" value={`${num(p.totals.excluded.views)} / ${num(p.totals.excluded.clicks)}`} />
      </div>
      <section class="stats-table" id="days">
        <h3>Per day</h3>
        <LineChart
          title="Page views, unique visitors and click-outs per day"
          labels={p.days.map((d) => d.date)}
          series={[
            { name: "Page views", colour: "#9ec5fe", values: p.days.map((d) => d.views) },
            { name: "Visitors", colour: "#20c997", values: p.days.map((d) => d.visitors) },
            { name: "Click-outs", colour: "#0a58ca", values: p.days.map((d) => d.clicks) },
          ]}
        />
        <table class="striped">
          <thead>
            <tr><th>Day</th><th class="num">Page views</th><th class="num">Visitors</th><th class="num">Click-outs</th><th class="num">CTR</th></tr>
          </thead>
          <tbody>
            {[...p.days].reverse().map((d) => (
              <tr><td safe>{d.date}</td><td class="num" safe>{num(d.views)}</td><td class="num" safe>{num(d.visitors)}</td><td class="num" safe>{num(d.clicks)}</td><td class="num" safe>{pct(d.ctr)}</td></tr>
            ))}
          </tbody>
        </table>
        <p><a href={csv("days")} download="">Download CSV</a> · <a href={`${base}/clicks.csv?${p.rangeQuery}`} download="">Raw click-outs (CSV)</a></p>
      </section>
      {p.tables.map((t) => <Table table={t} csv={csv(t.id)} />)}
      {p.settings ? (
        <section id="settings">
          <h3>Stats settings</h3>
          {p.settings.saved ? <p class="notice" role="status" safe>{p.settings.saved}</p> : ""}
          {p.settings.error ? <p class="error" role="alert" safe>{p.settings.error}</p> : ""}
          <form method="post" action="/admin/stats/settings">
            <Csrf shell={p.shell} />
            <label>
              Time zone (where a day starts)
              <input name="timeZone" value={p.settings.timeZone} required maxlength="64" />
            </label>
            <label>
              Keep raw events for (days; 0 = forever; totals are always kept)
              <input name="rawRetentionDays" type="number" min="0" max="36500" value={String(p.settings.rawRetentionDays)} required />
            </label>
            <button type="submit">Save</button>
          </form>
        </section>
      ) : ""}
    </AdminLayout>
  );
};
