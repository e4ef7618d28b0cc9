import { AdminLayout, Csrf, type Shell } from "../admin/layout";
import { Field, FormAlert } from "../admin/fields";

export interface FanRowView {
  id: number;
  email: string;
  name: string | null;
  links: string | null;
  signedUp: string;
  unsubscribed: boolean;
  unsubscribeUrl: string;
}

export interface FanSettingsDraft {
  consentText: string;
  eventName: string;
  webhookUrl: string;
  hasSecret: boolean;
}

export const FansPage = ({ shell, fans, q, link, slugs, total, settings, errors, saved }: {
  shell: Shell; fans: FanRowView[]; q: string; link: string; slugs: string[]; total: number;
  settings: FanSettingsDraft; errors?: Record<string, string>; saved?: string;
}) => (
  <AdminLayout shell={shell} title="Fans" current="fans">
    <hgroup>
      <h1>Fans</h1>
      <p>{total} {total === 1 ? "address" : "addresses"} collected by your signup forms. Turn a form on in a link's editor.</p>
    </hgroup>
    <form method="get" action="/admin/fans" role="search" class="grid">
      <input type="search" name="q" value={q} placeholder="Search email or name" aria-label="Search fans" />
      <select name="link" aria-label="Filter by link">
        <option value="">All links</option>
        {slugs.map((s) => <option value={s} selected={s === link} safe>{s}</option>)}
      </select>
      <button type="submit">Filter</button>
    </form>
    <p><a href="/admin/fans.csv" role="button" class="secondary" download="outro-fans.csv">Export CSV (Mailchimp, Kit)</a></p>
    {fans.length === 0 ? <p>No fans match.</p> : (
      <div class="overflow-auto">
        <table>
          <thead><tr><th>Email</th><th>Name</th><th>Links</th><th>Signed up</th><th>Status</th><th></th></tr></thead>
          <tbody>
            {fans.map((f) => (
              <tr>
                <td safe>{f.email}</td>
                <td safe>{f.name ?? ""}</td>
                <td safe>{f.links ?? ""}</td>
                <td safe>{f.signedUp}</td>
                <td>{f.unsubscribed ? "unsubscribed" : <a href={f.unsubscribeUrl}>unsubscribe link</a>}</td>
                <td><a href={`/admin/fans/${f.id}/delete`} class="secondary">Delete</a></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    )}
    <section id="fan-settings">
      <h2>Signup settings</h2>
      <FormAlert errors={errors} saved={saved} />
      <form method="post" action="/admin/fans/settings">
        <Csrf shell={shell} />
        <Field label="Consent text shown next to the checkbox" name="consentText" value={settings.consentText} errors={errors} maxlength={300} required />
        <Field label="Meta event for a signup" name="eventName" value={settings.eventName} errors={errors} maxlength={50} hint="CompleteRegistration, or another standard or custom event name." />
        <Field label="Webhook URL (optional)" name="webhookUrl" value={settings.webhookUrl} errors={errors} type="url" placeholder="https://hooks.example.com/outro" hint="Each new fan is POSTed here as JSON, signed with X-Outro-Signature." />
        <Field label="Webhook secret" name="webhookSecret" value="" errors={errors} type="password" autocomplete="off"
          hint={settings.hasSecret ? "A secret is set. Leave empty to keep it." : "Not set. Used for the HMAC-SHA256 signature."} />
        <button type="submit">Save signup settings</button>
      </form>
    </section>
  </AdminLayout>
);

export const DeleteFanPage = ({ shell, fan }: { shell: Shell; fan: { id: number; email: string } }) => (
  <AdminLayout shell={shell} title="Delete fan" current="fans">
    <h1>Delete this fan?</h1>
    <p>
      <strong safe>{fan.email}</strong> will be erased everywhere Outro holds it: the fan list, every signup, queued
      webhooks, and Meta events not yet sent. This cannot be undone.
    </p>
    <form method="post" action={`/admin/fans/${fan.id}/delete`}>
      <Csrf shell={shell} />
      <button type="submit" class="contrast">Delete for good</button> <a href="/admin/fans">Cancel</a>
    </form>
  </AdminLayout>
);
