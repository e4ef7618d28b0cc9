import { AdminLayout, Csrf, type Shell } from "./layout";

export interface LinkRowView {
  slug: string;
  type: "release" | "bio";
  title: string;
  artist: string;
  published: boolean;
  views: number;
  clicks: number;
  ctr: number;
}

export interface Alert {
  level: "error" | "warn" | "info";
  text: string;
  href?: string;
  action?: string;
}

const pct = (n: number) => `${(n * 100).toFixed(1)}%`;

export const DashboardPage = ({ shell, links, query, alerts, total, notice }: { shell: Shell; links: LinkRowView[]; query: string; alerts: Alert[]; total: number; notice?: string }) => (
  <AdminLayout shell={shell} title="Links" current="links">
    {alerts.length ? (
      <section class="alerts" aria-label="Alerts">
        {alerts.map((a) => (
          <p class={`alert ${a.level}`} role={a.level === "error" ? "alert" : "status"}>
            <span safe>{a.text}</span>
            {a.href ? <>{" "}<a href={a.href} safe>{a.action ?? "Fix it"}</a></> : ""}
          </p>
        ))}
      </section>
    ) : ""}
    {notice ? <p class="alert ok" role="status" safe>{notice}</p> : ""}
    <div class="page-head">
      <h1>Links</h1>
      <div class="buttons">
        <a href="/admin/links/new" role="button">New release link</a>
        <a href="/admin/links/new?type=bio" role="button" class="secondary">New bio hub</a>
      </div>
    </div>
    <form method="get" action="/admin" role="search">
      <input type="search" name="q" value={query} placeholder="Search title, artist or address" aria-label="Search links" />
      <button type="submit">Search</button>
    </form>
    {links.length === 0 ? (
      <p class="empty">{total === 0 ? "No links yet. Create your first release link or bio hub." : "No link matches that search."}</p>
    ) : (
      <div class="overflow-auto">
        <table class="striped links-table">
          <thead>
            <tr>
              <th scope="col">Link</th>
              <th scope="col" class="num">Views</th>
              <th scope="col" class="num">Click-outs</th>
              <th scope="col" class="num">CTR</th>
              <th scope="col" class="actions"><span class="visually-hidden">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {links.map((l) => (
              <tr data-slug={l.slug}>
                <td>
                  <a href={`/admin/links/${l.slug}`}><strong safe>{l.title}</strong></a>
                  {l.artist ? <> <span class="muted" safe>{`· ${l.artist}`}</span></> : ""}
                  <br />
                  <small class="muted"><span safe>{`/${l.slug}`}</span> · {l.type === "bio" ? "bio hub" : "release"}</small>{" "}
                  {l.published ? "" : <span class="badge">Draft</span>}
                </td>
                <td class="num" safe>{String(l.views)}</td>
                <td class="num" safe>{String(l.clicks)}</td>
                <td class="num" safe>{pct(l.ctr)}</td>
                <td class="actions"><a href={`/admin/links/${l.slug}`}>Edit</a> · <a href={`/admin/stats/link/${l.slug}`}>Stats</a> · <a href={`/admin/links/${l.slug}/preview`}>Preview</a></td>
              </tr>
            ))}
          </tbody>
        </table>
        <p class="muted"><small>Views, click-outs and click-through rate of the last 28 days; bots and link previews not counted.</small></p>
      </div>
    )}
  </AdminLayout>
);

export const DeleteConfirmPage = ({ shell, slug, title }: { shell: Shell; slug: string; title: string }) => (
  <AdminLayout shell={shell} title={`Delete ${title}`} current="links">
    <article class="narrow">
      <h1 safe>{`Delete “${title}”?`}</h1>
      <p>The page at <code safe>{`/${slug}`}</code> will stop working for everyone, at once. Its statistics are kept but no longer shown. This cannot be undone.</p>
      <form method="post" action={`/admin/links/${slug}/delete`}>
        <Csrf shell={shell} />
        <div class="buttons">
          <button type="submit" class="danger">Yes, delete it</button>
          <a href={`/admin/links/${slug}`} role="button" class="secondary outline">Cancel</a>
        </div>
      </form>
    </article>
  </AdminLayout>
);

export const AdminNotFound = ({ shell, what }: { shell: Shell; what: string }) => (
  <AdminLayout shell={shell} title="Not found">
    <article class="narrow">
      <h1>Not found</h1>
      <p safe>{what}</p>
      <p><a href="/admin">Back to links</a></p>
    </article>
  </AdminLayout>
);
