export interface SignupFormProps {
  action: string;
  consentText: string;
  /** Per-view values, already HTML-escaped (they may be template tokens). */
  safeToken: string;
  safeMessage: string;
  safeEmail: string;
  safeName: string;
  /** The countdown page asks for the release-day notification instead of the news. */
  heading?: string;
  buttonText?: string;
}

/** The fan signup: works as a plain form post; the page script upgrades it to stay in place. */
export const SignupForm = ({ action, consentText, safeToken, safeMessage, safeEmail, safeName, heading = "Get the news first", buttonText = "Sign up" }: SignupFormProps) => (
  <section class="signup" id="signup" aria-labelledby="signup-title">
    <h2 id="signup-title" safe>{heading}</h2>
    <p class="signup-msg" role="status" aria-live="polite">{safeMessage}</p>
    <form method="post" action={action} class="signup-form">
      <label for="signup-email">Email</label>
      <input id="signup-email" name="email" type="email" autocomplete="email" required maxlength="254" value={safeEmail} />
      <label for="signup-name">First name <span class="optional">(optional)</span></label>
      <input id="signup-name" name="name" type="text" autocomplete="given-name" maxlength="100" value={safeName} />
      <label class="consent-line">
        <input name="consent" type="checkbox" value="on" required /> <span safe>{consentText}</span>
      </label>
      <div class="hp" aria-hidden="true">
        <label for="signup-website">Leave this empty</label>
        <input id="signup-website" name="website" type="text" tabindex="-1" autocomplete="off" />
      </div>
      <input type="hidden" name="t" value={safeToken} />
      <button type="submit" safe>{buttonText}</button>
    </form>
  </section>
);
