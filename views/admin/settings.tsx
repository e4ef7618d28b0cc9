import { AdminLayout, Csrf, type Shell } from "./layout";
import { Checkbox, Field, FieldError, FormAlert } from "./fields";
import { EventSelect } from "./link-form";

export interface SettingsDraft {
  pixelId: string;
  testEventCode: string;
  clickEvent: string;
  clickEventCustom: string;
  consentMode: string;
  limitedDataUse: boolean;
  hideBroken: boolean;
}

export interface SettingsProps {
  shell: Shell;
  draft: SettingsDraft;
  /** Whether an access token is stored; its value is never passed to the view. */
  hasAccessToken: boolean;
  locked: { pixelId: boolean; accessToken: boolean; testEventCode: boolean };
  errors: Record<string, string>;
  saved?: string;
  standardEvents: readonly string[];
  tokens: { id: number; name: string; createdAt: string; lastUsed: string }[];
  tokenName: string;
  tokenErrors: Record<string, string>;
  /** A token just created: shown this once. */
  newToken?: { name: string; token: string };
  envApiToken: boolean;
  /** The dead-link monitor's state, formatted. */
  linkCheck: { lastRun: string; nextRun: string; running: boolean; broken: number };
}

const Locked = ({ name, env }: { name: string; env: string }) => (
  <label>
    <span safe>{name}</span>
    <input type="text" value={`Set by ${env}`} readonly disabled />
    <small>Comes from the environment variable <code safe>{env}</code>; change it there.</small>
  </label>
);

export const SettingsPage = (p: SettingsProps) => (
  <AdminLayout shell={p.shell} title="Settings" current="settings">
    <h1>Settings</h1>
    <FormAlert errors={p.errors} saved={p.saved} />
    <form method="post" action="/admin/settings">
      <Csrf shell={p.shell} />
      <section>
        <h2>Meta Pixel and Conversions API</h2>
        <p class="muted">Used by every link that does not set its own.</p>
        {p.locked.pixelId ? <Locked name="Pixel id" env="META_PIXEL_ID" /> : (
          <Field label="Pixel id" name="pixelId" value={p.draft.pixelId} inputmode="numeric" placeholder="1234567890" errors={p.errors} hint="The number from Events Manager. Empty turns tracking off." />
        )}
        <div id="access-token">
          {p.locked.accessToken ? <Locked name="Access token" env="META_ACCESS_TOKEN" /> : (
            <>
              <label>
                <span>Conversions API access token</span>
                <span class="token-state" data-token-state>{p.hasAccessToken ? "Set ••••••••" : "Not set"}</span>
                <input type="password" name="accessToken" value="" autocomplete="off" placeholder={p.hasAccessToken ? "Type a new token to replace it" : "Paste the token from Events Manager"}
                  aria-invalid={p.errors.accessToken ? "true" : undefined} />
                {p.errors.accessToken ? <FieldError name="accessToken" error={p.errors.accessToken} /> : <small>Write-only: once saved it is never shown again.</small>}
              </label>
              {p.hasAccessToken ? <Checkbox label="Remove the stored access token" name="clearAccessToken" checked={false} /> : ""}
            </>
          )}
        </div>
        <div id="test-events">
          {p.locked.testEventCode ? <Locked name="Test event code" env="META_TEST_EVENT_CODE" /> : (
            <Field label="Test event code" name="testEventCode" value={p.draft.testEventCode} placeholder="TEST12345" errors={p.errors}
              hint="While set, events go to Test Events in Events Manager and a banner shows on every admin page. Empty it when done." />
          )}
        </div>
        <EventSelect clickEvent={p.draft.clickEvent} clickEventCustom={p.draft.clickEventCustom} errors={p.errors} standardEvents={p.standardEvents} defaultLabel={null} />
        <fieldset>
          <legend>Consent</legend>
          <label>
            <input type="radio" name="consentMode" value="none" checked={p.draft.consentMode !== "opt-in"} />
            The Pixel runs when the page opens
          </label>
          <label>
            <input type="radio" name="consentMode" value="opt-in" checked={p.draft.consentMode === "opt-in"} />
            Ask fans first (opt-in banner)
          </label>
          <FieldError name="consentMode" error={p.errors.consentMode} />
        </fieldset>
        <Checkbox label="Limited Data Use (US state privacy laws)" name="limitedDataUse" checked={p.draft.limitedDataUse} />
      </section>
      <section>
        <h2>Dead links</h2>
        <Checkbox label="Hide broken destinations from the pages until they work again" name="hideBroken" checked={p.draft.hideBroken} />
        <p class="muted"><small>Nothing is deleted: a hidden destination comes back on its own when a later check sees it work. Answers that robots often get (401, 403, 429) never hide one.</small></p>
      </section>
      <button type="submit">Save settings</button>
    </form>

    <section id="link-check">
      <h2>Dead-link monitor</h2>
      <p class="muted">Every destination of every link is checked once a day, gently (one request at a time per site, with pauses). A 404 or 410 is broken at once; a server error, timeout or connection error after two checks in a row.</p>
      <p>
        <span safe>{`Last run: ${p.linkCheck.lastRun}. Next: ${p.linkCheck.nextRun}.`}</span>{" "}
        {p.linkCheck.running ? <span class="badge pending">Running</span> : ""}{" "}
        {p.linkCheck.broken ? <span class="badge failed" safe>{`${p.linkCheck.broken} broken`}</span> : <span class="badge ok">None broken</span>}
      </p>
      <form method="post" action="/admin/settings/link-check" class="inline">
        <Csrf shell={p.shell} />
        <button type="submit" class="secondary">Check all links now</button>
      </form>
    </section>

    <section id="backup">
      <h2>Backup</h2>
      <p class="muted">A consistent copy of the database, taken while Outro keeps serving, kept in DATA_DIR/backups and downloaded. Uploaded media (DATA_DIR/media) is not in it.</p>
      <p><a href="/admin/backup.db" role="button" class="secondary" download="outro-backup.db">Download a backup</a></p>
    </section>

    <section id="api-tokens">
      <h2>API tokens</h2>
      <p class="muted">For scripts using the JSON API (<a href="/api/docs">docs</a>). A token is shown once, when it is made; only its fingerprint is stored.{p.envApiToken ? " The API_TOKEN environment variable works as well." : ""}</p>
      {p.newToken ? (
        <article class="new-token" role="status">
          <p><strong safe>{`New token “${p.newToken.name}”`}</strong> — copy it now, it will not be shown again.</p>
          <div role="group">
            <input type="text" id="new-token" readonly value={p.newToken.token} aria-label="New API token" />
            <button type="button" data-copy="#new-token">Copy</button>
          </div>
        </article>
      ) : ""}
      {p.tokens.length ? (
        <div class="overflow-auto">
          <table class="striped">
            <thead><tr><th scope="col">Name</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {p.tokens.map((t) => (
                <tr data-token={String(t.id)}>
                  <td safe>{t.name}</td>
                  <td safe>{t.createdAt}</td>
                  <td safe>{t.lastUsed}</td>
                  <td>
                    <form method="post" action={`/admin/settings/tokens/${t.id}/revoke`} class="inline">
                      <Csrf shell={p.shell} />
                      <button type="submit" class="outline danger small">Revoke</button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : <p>No tokens yet.</p>}
      <form method="post" action="/admin/settings/tokens" class="token-form">
        <Csrf shell={p.shell} />
        <Field label="Name of a new token" name="name" value={p.tokenName} placeholder="e.g. release script" errors={p.tokenErrors} maxlength={80} />
        <button type="submit" class="secondary">Create token</button>
      </form>
    </section>
  </AdminLayout>
);
