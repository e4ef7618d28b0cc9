import { AdminLayout, type Shell } from "./layout";
import { Field, FieldError } from "./fields";
import type { DeliveryRowView } from "../../src/admin/tools-routes";

export interface UtmDraft {
  link: string;
  source: string;
  medium: string;
  campaign: string;
  content: string;
  term: string;
}

export const UtmPage = ({ shell, draft, links, presets, url, errors }: {
  shell: Shell; draft: UtmDraft; links: { slug: string; title: string }[]; presets: { id: string; label: string }[]; url: string | null; errors: Record<string, string>;
}) => (
  <AdminLayout shell={shell} title="UTM builder" current="utm">
    <h1>UTM link builder</h1>
    <p class="muted">Tag the link you post, so your stats show where fans came from. Pick a preset or fill the fields.</p>
    <form method="get" action="/admin/tools/utm">
      <label>
        <span>Link</span>
        <select name="link" aria-invalid={errors.link ? "true" : undefined}>
          {links.map((l) => <option value={l.slug} selected={draft.link === l.slug} safe>{`${l.title} (/${l.slug})`}</option>)}
        </select>
        <FieldError name="link" error={errors.link} />
      </label>
      <fieldset>
        <legend>Presets</legend>
        <div class="buttons presets">
          {presets.map((p) => <button type="submit" name="preset" value={p.id} class="outline secondary small" safe>{p.label}</button>)}
        </div>
      </fieldset>
      <div class="grid">
        <Field label="Source (utm_source)" name="source" value={draft.source} placeholder="instagram" errors={errors} />
        <Field label="Medium (utm_medium)" name="medium" value={draft.medium} placeholder="social" errors={errors} />
      </div>
      <div class="grid">
        <Field label="Campaign (utm_campaign)" name="campaign" value={draft.campaign} placeholder="night-drive-release" errors={errors} />
        <Field label="Content (utm_content)" name="content" value={draft.content} placeholder="bio" errors={errors} />
        <Field label="Term (utm_term)" name="term" value={draft.term} errors={errors} />
      </div>
      <button type="submit">Build the link</button>
    </form>
    {url ? (
      <article class="result">
        <label for="utm-url">Your link</label>
        <div role="group">
          <input type="text" id="utm-url" readonly value={url} />
          <button type="button" data-copy="#utm-url">Copy</button>
        </div>
      </article>
    ) : ""}
  </AdminLayout>
);

const STATUS_LABEL: Record<string, string> = { pending: "Waiting", sent: "Sent", failed: "Failed", expired: "Expired" };

export const TrackingPage = ({ shell, counters, rows, status, paused, expiring }: {
  shell: Shell; counters: Record<string, number>; rows: DeliveryRowView[]; status: string; paused: { pixelId: string; reason: string | null; since: string }[]; expiring: number;
}) => (
  <AdminLayout shell={shell} title="Tracking" current="tracking">
    <h1>Tracking health</h1>
    <p class="muted">Events sent to Meta's Conversions API, newest first.</p>
    {paused.map((p) => (
      <p class="alert error" role="alert"><span safe>{`Delivery to pixel ${p.pixelId} is paused since ${p.since}${p.reason ? `: ${p.reason}` : "."}`}</span> <a href="/admin/settings#access-token">Check the settings</a></p>
    ))}
    {expiring ? <p class="alert warn" safe>{`${expiring} waiting event${expiring === 1 ? "" : "s"} will be too old for Meta within a day.`}</p> : ""}
    <div class="counters">
      {(["sent", "pending", "failed", "expired"] as const).map((s) => (
        <a href={`/admin/tracking?status=${s}`} class={`counter ${s}${status === s ? " current" : ""}`} data-counter={s}>
          <strong safe>{String(counters[s] ?? 0)}</strong>
          <span safe>{STATUS_LABEL[s]}</span>
        </a>
      ))}
    </div>
    <nav class="filters" aria-label="Filter by status">
      <a href="/admin/tracking" aria-current={status === "" ? "page" : undefined}>All</a>
      {(["pending", "sent", "failed", "expired"] as const).map((s) => <a href={`/admin/tracking?status=${s}`} aria-current={status === s ? "page" : undefined} safe>{STATUS_LABEL[s]}</a>)}
    </nav>
    {rows.length === 0 ? <p class="empty">No events{status ? ` with this status` : " yet"}.</p> : (
      <div class="overflow-auto">
        <table class="striped log">
          <thead><tr><th scope="col">When</th><th scope="col">Event</th><th scope="col">Link</th><th scope="col">Server</th><th scope="col" title="The browser's Pixel fired the same event id">Browser</th><th scope="col" class="num">Tries</th><th scope="col">Meta's answer</th></tr></thead>
          <tbody>
            {rows.map((r) => (
              <tr data-status={r.status}>
                <td safe>{r.when}</td>
                <td><span safe>{r.eventName}</span><br /><small class="muted" safe>{r.eventId}</small></td>
                <td safe>{r.slug ?? ""}</td>
                <td><span class={`badge ${r.status}`} safe>{STATUS_LABEL[r.status] ?? r.status}</span></td>
                <td data-browser={r.browserFired ? "yes" : "no"}>{r.browserFired ? "✓ fired" : "✗ not seen"}</td>
                <td class="num" safe>{String(r.attempts)}</td>
                <td class="meta-error" safe>{r.error ?? (r.status === "sent" ? "OK" : "")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    )}
  </AdminLayout>
);
