import { AdminLayout, type Shell } from "./layout";
import { Field } from "./fields";

const noShell: Shell = { csrf: null, testEventCode: null };

export const SignInPage = ({ formToken, error, blockedMinutes }: { formToken: string; error?: string; blockedMinutes?: number }) => (
  <AdminLayout shell={noShell} title="Sign in">
    <article class="narrow">
      <h1>Sign in to Outro</h1>
      {blockedMinutes ? (
        <p class="alert error" role="alert">
          <span safe>{`Too many wrong passwords from your address. For your safety, sign-in is paused: try again in ${blockedMinutes} minute${blockedMinutes === 1 ? "" : "s"}.`}</span>
        </p>
      ) : ""}
      <form method="post" action="/admin/login">
        <input type="hidden" name="_csrf" value={formToken} />
        <Field label="Password" name="password" type="password" autocomplete="current-password" required errors={error ? { password: error } : {}} />
        <button type="submit">Sign in</button>
      </form>
    </article>
  </AdminLayout>
);

export const SetupPage = ({ formToken, errors = {} }: { formToken: string; errors?: Record<string, string> }) => (
  <AdminLayout shell={noShell} title="Set up">
    <article class="narrow">
      <h1>Welcome to Outro</h1>
      <p>Choose the admin password. This form is shown once: after this, you sign in with the password.</p>
      <form method="post" action="/admin/setup">
        <input type="hidden" name="_csrf" value={formToken} />
        <Field label="Password (at least 10 characters)" name="password" type="password" autocomplete="new-password" required errors={errors} />
        <Field label="Repeat the password" name="confirm" type="password" autocomplete="new-password" required errors={errors} />
        <button type="submit">Save and sign in</button>
      </form>
    </article>
  </AdminLayout>
);

export const FormExpiredPage = ({ back }: { back: string }) => (
  <AdminLayout shell={noShell} title="Form expired">
    <article class="narrow">
      <h1>This form could not be checked</h1>
      <p>The form's security token is missing or out of date, so nothing happened. Reload the page and try again.</p>
      <p><a href={back}>Back</a></p>
    </article>
  </AdminLayout>
);

export const SetupDonePage = () => (
  <AdminLayout shell={noShell} title="Not found">
    <article class="narrow">
      <h1>Nothing here</h1>
      <p>The admin password is already set. Sign in with it instead.</p>
      <p><a href="/admin/login">Sign in</a></p>
    </article>
  </AdminLayout>
);
