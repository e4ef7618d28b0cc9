import { AdminLayout, Csrf, type Shell } from "./layout";
import { Checkbox, Field, FieldError, FormAlert } from "./fields";
import type { DestRow, LinkDraft, TourRow } from "../../src/admin/link-form";
import { CountryHealthNotes, HealthNote, type HealthView } from "./link-health";
import { AutofillBox } from "./autofill";

export interface ServiceInfo {
  id: string;
  name: string;
  kind: string;
}

export interface LinkFormProps {
  shell: Shell;
  draft: LinkDraft;
  /** null for a new link. */
  originalSlug: string | null;
  errors: Record<string, string>;
  saved?: string;
  baseUrl: string;
  releases: { slug: string; title: string }[];
  standardEvents: readonly string[];
  serviceOf: (id: string | null) => ServiceInfo | null;
  /** The dead-link monitor's word on a row's URL; absent for a new link. */
  healthOf?: (url: string) => HealthView | null;
  /** IANA zone names offered for the release time zone. */
  timeZones?: readonly string[];
  /** Where a saved release stands: the moment, fans who asked, the mail queue. */
  releaseStatus?: ReleaseStatus | null;
}

export interface ReleaseStatus {
  /** "Counting down: …" or "Released …", in the artist's zone. */
  state: string;
  asked: number;
  mails: Record<string, number>;
}

const ReleaseStatusLine = ({ status }: { status: ReleaseStatus }) => {
  const m = status.mails;
  const parts = [`${status.asked} ${status.asked === 1 ? "fan" : "fans"} asked for a note`];
  const sent = m.sent ?? 0, waiting = (m.pending ?? 0) + (m.sending ?? 0), failed = (m.failed ?? 0) + (m.unknown ?? 0);
  if (sent || waiting || failed) parts.push(`mails: ${sent} sent, ${waiting} waiting, ${failed} failed`);
  return <p class="release-status" safe>{`${status.state} · ${parts.join(" · ")}`}</p>;
};

const ServiceTag = ({ info, url }: { info: ServiceInfo | null; url: string }) => (
  <span class="svc" data-svc>
    {info ? (
      <>
        <img src={`/assets/icons/${info.id}.svg`} alt="" width="20" height="20" />
        <span safe>{info.name}</span>
      </>
    ) : (
      <span class="muted">{url.trim() ? "Other link" : "Paste a URL"}</span>
    )}
  </span>
);

const RowTools = ({ prefix, i }: { prefix: string; i: number }) => (
  <div class="row-tools">
    <input type="hidden" name={`${prefix}-${i}-present`} value="1" />
    <label class="pos">
      <span>Position</span>
      <input type="number" name={`${prefix}-${i}-pos`} value={String(i + 1)} step="any" inputmode="decimal" />
    </label>
    <label class="remove">
      <input type="checkbox" name={`${prefix}-${i}-remove`} value="on" />
      <span>Remove</span>
    </label>
  </div>
);

const DestRowView = ({ prefix, i, row, errors, serviceOf, withLabel, healthOf }: { prefix: string; i: number; row: DestRow; errors: Record<string, string>; serviceOf: LinkFormProps["serviceOf"]; withLabel: boolean; healthOf?: LinkFormProps["healthOf"] }) => (
  <li class="dest-row" data-row>
    <div class="dest-head">
      <strong class="num" safe>{String(i + 1)}</strong>
      <ServiceTag info={serviceOf(row.service)} url={row.url} />
    </div>
    <div class={withLabel ? "grid dest-fields" : "dest-fields"}>
      <Field label="URL" name={`${prefix}-${i}-url`} value={row.url} type="url" inputmode="url" placeholder="https://open.spotify.com/…" errors={errors} attrs={{ "data-detect": "" }} />
      {withLabel ? <Field label="Label (for other links)" name={`${prefix}-${i}-label`} value={row.label} placeholder="optional, e.g. Merch" errors={errors} /> : ""}
    </div>
    {healthOf && row.url.trim() ? <HealthNote h={healthOf(row.url)} /> : ""}
    {withLabel ? (
      <details class="country-rules" open={Boolean(row.countries || row.hiddenIn || errors[`${prefix}-${i}-countries`] || errors[`${prefix}-${i}-hiddenIn`])}>
        <summary>By country</summary>
        <label>
          <span>Other URL in some countries (one per line: country code, then the URL)</span>
          <textarea name={`${prefix}-${i}-countries`} rows="2" placeholder="DE https://…" aria-invalid={errors[`${prefix}-${i}-countries`] ? "true" : undefined} safe>{row.countries ?? ""}</textarea>
          <FieldError name={`${prefix}-${i}-countries`} error={errors[`${prefix}-${i}-countries`]} />
        </label>
        {healthOf && row.countries ? <CountryHealthNotes lines={row.countries} healthOf={healthOf} /> : ""}
        <Field label="Hide in these countries" name={`${prefix}-${i}-hiddenIn`} value={row.hiddenIn ?? ""} placeholder="e.g. CN, RU" errors={errors} hint="Two-letter codes, where the service is not available." />
      </details>
    ) : ""}
    <RowTools prefix={prefix} i={i} />
  </li>
);

const TourRowView = ({ i, row, errors, healthOf }: { i: number; row: TourRow; errors: Record<string, string>; healthOf?: LinkFormProps["healthOf"] }) => (
  <li class="dest-row" data-row>
    <div class="grid">
      <Field label="Date" name={`tour-${i}-date`} value={row.date} type="date" errors={errors} />
      <Field label="City" name={`tour-${i}-city`} value={row.city} errors={errors} />
    </div>
    <div class="grid">
      <Field label="Venue" name={`tour-${i}-venue`} value={row.venue} errors={errors} />
      <Field label="Ticket URL" name={`tour-${i}-ticketUrl`} value={row.ticketUrl} type="url" errors={errors} />
    </div>
    {/* Only once checked: tickets of past shows never are, and "not checked yet" would mislead there. */}
    {healthOf && row.ticketUrl.trim() && healthOf(row.ticketUrl) ? <HealthNote h={healthOf(row.ticketUrl)} /> : ""}
    <RowTools prefix="tour" i={i} />
  </li>
);

/** A release link's date, time and zone, and the pre-save links shown until then. */
const ReleaseDaySection = ({ draft, errors, serviceOf, timeZones, status, healthOf }: { draft: LinkDraft; errors: Record<string, string>; serviceOf: LinkFormProps["serviceOf"]; timeZones: readonly string[]; status?: ReleaseStatus | null; healthOf?: LinkFormProps["healthOf"] }) => (
  <section>
    <h2>Release day</h2>
    {status ? <ReleaseStatusLine status={status} /> : ""}
    <p class="muted">Before this moment the page shows a countdown, the pre-save links and a “notify me” signup; at the moment it turns into the smart link on its own and the fans who asked get a note.</p>
    <div class="grid">
      <Field label="Release date" name="releaseDate" value={draft.releaseDate} type="date" errors={errors} hint="leave empty for no countdown" />
      <Field label="Time" name="releaseTime" value={draft.releaseTime} type="time" errors={errors} hint="00:00 when empty" />
      <Field label="Time zone" name="releaseTimeZone" value={draft.releaseTimeZone} errors={errors} placeholder="Europe/Berlin" hint="an IANA zone, e.g. America/Los_Angeles" attrs={{ list: "time-zones" }} />
    </div>
    <datalist id="time-zones">{timeZones.map((z) => <option value={z} />)}</datalist>
    <h3>Pre-save links</h3>
    <p class="muted">Your distributor's pre-save page, a Spotify Countdown Page, an Apple Music pre-add … shown only before the release.</p>
    <FieldError name="presaves" error={errors.presaves} />
    <ol class="rows" data-rows="presave">
      {draft.presaves.map((row, i) => <DestRowView prefix="presave" i={i} row={row} errors={errors} serviceOf={serviceOf} withLabel healthOf={healthOf} />)}
    </ol>
    <button type="submit" name="action" value="add-presave" class="secondary outline">Add a pre-save link</button>
  </section>
);

export const EventSelect = ({ clickEvent, clickEventCustom, errors, standardEvents, defaultLabel }: { clickEvent: string; clickEventCustom: string; errors: Record<string, string>; standardEvents: readonly string[]; defaultLabel: string | null }) => (
  <div class="grid">
    <label>
      <span>Click-out event</span>
      <select name="clickEvent" aria-invalid={errors.clickEvent ? "true" : undefined}>
        {defaultLabel !== null ? <option value="" selected={clickEvent === ""} safe>{defaultLabel}</option> : ""}
        <optgroup label="Meta standard events">
          {standardEvents.map((e) => <option value={e} selected={clickEvent === e} safe>{e}</option>)}
        </optgroup>
        <option value="custom" selected={clickEvent === "custom"}>Custom name…</option>
      </select>
      <FieldError name="clickEvent" error={errors.clickEvent} />
    </label>
    <Field label="Custom event name" name="clickEventCustom" value={clickEventCustom} errors={errors} hint="Used when “Custom name…” is picked." maxlength={50} />
  </div>
);

export const LinkFormPage = (p: LinkFormProps) => {
  const d = p.draft;
  const bio = d.type === "bio";
  const action = p.originalSlug ? `/admin/links/${p.originalSlug}` : "/admin/links";
  const kind = bio ? "bio hub" : "release link";
  return (
    <AdminLayout shell={p.shell} title={p.originalSlug ? `Edit ${d.title || p.originalSlug}` : `New ${kind}`} current="links">
      <hgroup>
        <h1 safe>{p.originalSlug ? d.title || p.originalSlug : `New ${kind}`}</h1>
        {p.originalSlug ? (
          <p>
            <a href={`${p.baseUrl}/${p.originalSlug}`} safe>{`${p.baseUrl}/${p.originalSlug}`}</a>
            {" · "}<span class={d.published ? "badge ok" : "badge"}>{d.published ? "Published" : "Draft"}</span>
          </p>
        ) : <p>{bio ? "Your link-in-bio page: featured release, links, socials and tour dates." : "One page for one release, with a button per service."}</p>}
      </hgroup>
      {p.originalSlug ? (
        <nav class="link-actions" aria-label="Link actions">
          <a href={`/admin/links/${p.originalSlug}/preview`} role="button" class="outline" target="_blank">Preview</a>
          <form method="post" action={`/admin/links/${p.originalSlug}/publish`} class="inline">
            <Csrf shell={p.shell} />
            <input type="hidden" name="published" value={d.published ? "off" : "on"} />
            <button type="submit" class="outline">{d.published ? "Unpublish" : "Publish"}</button>
          </form>
          <a href={`/admin/links/${p.originalSlug}/qr.svg`} role="button" class="outline secondary" download={`${p.originalSlug}-qr.svg`}>QR (SVG)</a>
          <a href={`/admin/links/${p.originalSlug}/qr.png`} role="button" class="outline secondary" download={`${p.originalSlug}-qr.png`}>QR (PNG)</a>
          <a href={`/admin/tools/utm?link=${p.originalSlug}`} role="button" class="outline secondary">UTM link</a>
          <form method="post" action={`/admin/links/${p.originalSlug}/check`} class="inline">
            <Csrf shell={p.shell} />
            <button type="submit" class="outline secondary">Check links now</button>
          </form>
          <a href={`/admin/links/${p.originalSlug}/delete`} role="button" class="outline danger">Delete…</a>
        </nav>
      ) : ""}
      <FormAlert errors={p.errors} saved={p.saved} />
      {p.errors.form ? <p class="alert error" safe>{p.errors.form}</p> : ""}
      {!bio ? <section aria-label="Auto-fill"><AutofillBox slug={p.originalSlug ?? "new"} q="" /></section> : ""}
      <form method="post" action={action} enctype="multipart/form-data" class="link-form">
        {/* Enter in a text field presses the first submit button: make that "Save". */}
        <button type="submit" name="action" value="save" class="default-submit" tabindex="-1" aria-hidden="true">Save</button>
        <Csrf shell={p.shell} />
        <input type="hidden" name="type" value={d.type} />
        <section>
          <h2>{bio ? "Profile" : "Release"}</h2>
          <div class="grid">
            <Field label={bio ? "Artist name" : "Title"} name="title" value={d.title} errors={p.errors} required maxlength={200} />
            {bio ? "" : <Field label="Artist" name="artist" value={d.artist} errors={p.errors} maxlength={200} />}
          </div>
          <Field label={`Address: ${p.baseUrl}/…`} name="slug" value={d.slug} errors={p.errors} required placeholder={bio ? "babbage" : "night-drive"} hint="a-z, 0-9 and '-'" maxlength={64} />
          {bio ? (
            <label>
              <span>Bio</span>
              <textarea name="bio" rows="3" maxlength={1000} aria-invalid={p.errors.bio ? "true" : undefined} safe>{d.bio}</textarea>
              <FieldError name="bio" error={p.errors.bio} />
            </label>
          ) : ""}
        </section>
        <section>
          <h2>{bio ? "Photo" : "Artwork"}</h2>
          <div class="art-row">
            {d.artworkUrl ? <img class="thumb" src={d.artworkUrl} alt="Current image" width="96" height="96" /> : <div class="thumb empty" aria-hidden="true"></div>}
            <div class="art-fields">
              <Field label="Image URL" name="artworkUrl" value={d.artworkUrl} type="text" inputmode="url" placeholder="https://… or upload a file" errors={p.errors} />
              <label>
                <span>…or upload (JPEG, PNG, WebP or GIF, at most 5 MB)</span>
                <input type="file" name="artworkFile" accept="image/jpeg,image/png,image/webp,image/gif" aria-invalid={p.errors.artworkFile ? "true" : undefined} />
                <FieldError name="artworkFile" error={p.errors.artworkFile} />
              </label>
            </div>
          </div>
        </section>
        {bio ? (
          <section>
            <h2>Featured release</h2>
            <label>
              <span>Show at the top</span>
              <select name="featuredSlug" aria-invalid={p.errors.featuredSlug ? "true" : undefined}>
                <option value="" selected={d.featuredSlug === ""}>The newest published release (automatic)</option>
                {p.releases.map((r) => <option value={r.slug} selected={d.featuredSlug === r.slug} safe>{`${r.title} (/${r.slug})`}</option>)}
              </select>
              <FieldError name="featuredSlug" error={p.errors.featuredSlug} />
            </label>
          </section>
        ) : ""}
        <section>
          <h2>{bio ? "Links" : "Services"}</h2>
          <p class="muted">Paste a link: the service is recognised from it. Change the position numbers to reorder, tick “Remove” to drop one.</p>
          <FieldError name="dests" error={p.errors.dests} />
          <ol class="rows" data-rows="dest">
            {d.dests.map((row, i) => <DestRowView prefix="dest" i={i} row={row} errors={p.errors} serviceOf={p.serviceOf} withLabel healthOf={p.healthOf} />)}
          </ol>
          <button type="submit" name="action" value="add-dest" class="secondary outline">Add a link</button>
        </section>
        {bio ? "" : <ReleaseDaySection draft={d} errors={p.errors} serviceOf={p.serviceOf} timeZones={p.timeZones ?? []} status={p.releaseStatus} healthOf={p.healthOf} />}
        {bio ? (
          <>
            <section>
              <h2>Socials</h2>
              <p class="muted">Profiles on Instagram, TikTok, YouTube… show as a row of icons.</p>
              <ol class="rows" data-rows="social">
                {d.socials.map((row, i) => <DestRowView prefix="social" i={i} row={row} errors={p.errors} serviceOf={p.serviceOf} withLabel={false} healthOf={p.healthOf} />)}
              </ol>
              <button type="submit" name="action" value="add-social" class="secondary outline">Add a social profile</button>
            </section>
            <section>
              <h2>Tour dates</h2>
              <p class="muted">Dates in the past are hidden from the page automatically.</p>
              <FieldError name="tours" error={p.errors.tours} />
              <ol class="rows" data-rows="tour">
                {d.tours.map((row, i) => <TourRowView i={i} row={row} errors={p.errors} healthOf={p.healthOf} />)}
              </ol>
              <button type="submit" name="action" value="add-tour" class="secondary outline">Add a date</button>
            </section>
          </>
        ) : ""}
        <section>
          <h2>Email signup</h2>
          <Checkbox label="Show an email signup form on the page" name="emailSignup" checked={d.emailSignup} />
        </section>
        {bio ? "" : (
          <section>
            <h2>Fan routing</h2>
            <Checkbox label="Send returning fans to the service they picked last time (they can still choose another)" name="autoRoute" checked={d.autoRoute} />
            <Field label="Delay before routing (milliseconds)" name="autoRouteDelayMs" value={d.autoRouteDelayMs} inputmode="numeric" errors={p.errors} hint="0 to 10000; the page shows “Show all services” meanwhile." maxlength={6} />
            <Checkbox label="Put the fan's platform's own service first (Apple Music on iPhone and Mac, YouTube Music on Android)" name="deviceOrder" checked={d.deviceOrder} />
          </section>
        )}
        <details open={Boolean(p.errors.pixelId || p.errors.accessToken || p.errors.clickEvent || p.errors.clickEventCustom || p.errors.clickEventName)}>
          <summary>Tracking for this link</summary>
          <p class="muted">Leave empty to use the instance settings.</p>
          <Field label="Meta Pixel id" name="pixelId" value={d.pixelId} inputmode="numeric" errors={p.errors} placeholder="from Settings" />
          <Field label={`Conversions API access token (${d.hasAccessToken ? "set" : "not set"})`} name="accessToken" type="password" autocomplete="off"
            placeholder={d.hasAccessToken ? "set — type a new one to replace it" : "not set"} errors={p.errors} hint="Write-only: it is never shown again." />
          {d.hasAccessToken ? <Checkbox label="Remove the stored access token" name="clearAccessToken" checked={false} /> : ""}
          <EventSelect clickEvent={d.clickEvent} clickEventCustom={d.clickEventCustom} errors={{ ...p.errors, clickEventCustom: p.errors.clickEventCustom ?? p.errors.clickEventName ?? "" }} standardEvents={p.standardEvents} defaultLabel="The instance default" />
        </details>
        <Checkbox label="Published (visible to everyone)" name="published" checked={d.published} />
        <button type="submit" name="action" value="save" safe>{p.originalSlug ? "Save changes" : `Create ${kind}`}</button>
      </form>
    </AdminLayout>
  );
};
