import type { PropsWithChildren } from "@kitajs/html";

/** What every signed-in admin page needs around its content. */
export interface Shell {
  /** The session's CSRF token (null before sign-in). */
  csrf: string | null;
  /** Set while Meta test events are on: every page shows a banner. */
  testEventCode: string | null;
}

export const ASSET_VERSION = "1";

export const Csrf = ({ shell }: { shell: Shell }) => <input type="hidden" name="_csrf" value={shell.csrf ?? ""} />;

const NAV = [
  { href: "/admin", label: "Links", id: "links" },
  { href: "/admin/stats", label: "Stats", id: "stats" },
  { href: "/admin/tools/utm", label: "UTM builder", id: "utm" },
  { href: "/admin/tracking", label: "Tracking", id: "tracking" },
  { href: "/admin/fans", label: "Fans", id: "fans" },
  { href: "/admin/settings", label: "Settings", id: "settings" },
];

export const AdminLayout = ({ shell, title, current, children }: PropsWithChildren<{ shell: Shell; title: string; current?: string }>) => (
  <>
    {"<!doctype html>"}
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex, nofollow" />
        <title safe>{`${title} · Outro admin`}</title>
        <link rel="stylesheet" href={`/admin/assets/pico.min.css?v=${ASSET_VERSION}`} />
        <link rel="stylesheet" href={`/admin/assets/admin.css?v=${ASSET_VERSION}`} />
        <script src={`/admin/assets/admin.js?v=${ASSET_VERSION}`} defer></script>
      </head>
      <body>
        {shell.csrf ? (
          <header class="container">
            <nav>
              <ul>
                <li><a href="/admin" class="brand"><strong>Outro</strong></a></li>
              </ul>
              <ul class="menu">
                {NAV.map((n) => (
                  <li><a href={n.href} aria-current={current === n.id ? "page" : undefined} safe>{n.label}</a></li>
                ))}
                <li>
                  <form method="post" action="/admin/logout" class="inline">
                    <Csrf shell={shell} />
                    <button type="submit" class="outline secondary small">Sign out</button>
                  </form>
                </li>
              </ul>
            </nav>
          </header>
        ) : ""}
        {shell.testEventCode ? (
          <div class="container">
            <p class="banner" role="status">
              <strong>Test mode is on.</strong> Events go to Meta's Test Events with code <code safe>{shell.testEventCode}</code>.{" "}
              <a href="/admin/settings#test-events">Turn it off in Settings</a> when you are done.
            </p>
          </div>
        ) : ""}
        <main class="container">{children}</main>
      </body>
    </html>
  </>
);

export const AdminMessage = ({ shell, title, heading, children }: PropsWithChildren<{ shell: Shell; title: string; heading: string }>) => (
  <AdminLayout shell={shell} title={title}>
    <article class="message">
      <h1 safe>{heading}</h1>
      {children}
      <p><a href="/admin">Back to the admin</a></p>
    </article>
  </AdminLayout>
);
