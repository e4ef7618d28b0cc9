import { Layout, type Meta } from "../layout";
import { DestinationButton, type ButtonProps } from "../components/destination-button";

export interface PreReleaseProps {
  meta: Meta;
  title: string;
  artist: string;
  artworkUrl: string | null;
  /** The release moment in the artist's zone, e.g. "Friday, 15 January 2027, 00:00 (Europe/Berlin)". */
  momentText: string;
  /** The same moment as an ISO instant, for the progressive countdown. */
  releaseIso: string;
  /** Time left as of this view, already HTML-escaped (a per-view template token). */
  safeTimeLeft: string;
  presaves: ButtonProps[];
  countdownScriptUrl: string;
  safeScripts?: JSX.Element;
  /** The "notify me on release day" form (trusted markup). */
  safeSignup?: JSX.Element;
}

/** Before release day: artwork, the countdown, pre-save buttons and the notify-me signup. */
export const PreReleasePage = ({ safeTimeLeft, safeScripts, safeSignup, ...p }: PreReleaseProps) => (
  <Layout meta={p.meta} bodyClass="release upcoming" safeHead={<script src={p.countdownScriptUrl} defer></script>}>
    <main class="card">
      {p.artworkUrl ? (
        <img class="art" src={p.artworkUrl} alt={`Cover art of ${p.title}${p.artist ? ` by ${p.artist}` : ""}`} width="600" height="600" />
      ) : (
        <div class="art art-empty" role="img" aria-label="No cover art"></div>
      )}
      <header>
        <h1 safe>{p.title}</h1>
        {p.artist ? <p class="artist" safe>{p.artist}</p> : ""}
      </header>
      <section class="countdown" aria-labelledby="countdown-title">
        <h2 id="countdown-title">Out <time datetime={p.releaseIso} safe>{p.momentText}</time></h2>
        <p class="time-left" data-release-at={p.releaseIso} aria-live="off">In {safeTimeLeft}</p>
      </section>
      {p.presaves.length ? (
        <nav aria-label="Pre-save">
          <ul class="dests">{p.presaves.map((b) => <DestinationButton {...b} />)}</ul>
        </nav>
      ) : ""}
      {safeSignup}
    </main>
    {safeScripts}
  </Layout>
);
