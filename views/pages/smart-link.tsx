import { attr } from "../attr";
import { Layout, type Meta } from "../layout";
import { DestinationButton, type ButtonProps } from "../components/destination-button";

export interface SmartLinkProps {
  meta: Meta;
  title: string;
  artist: string;
  artworkUrl: string | null;
  buttons: ButtonProps[];
  /** Tracking scripts, rendered by the tracking module (trusted markup). */
  safeScripts?: JSX.Element;
  /** The fan signup form, when the link has one (trusted markup). */
  safeSignup?: JSX.Element;
  /** Per-view notice above the buttons: the auto-route banner or an in-app browser hint (trusted markup). */
  safeNotice?: string;
}

export const SmartLinkPage = ({ meta, title, artist, artworkUrl, buttons, safeScripts, safeSignup, safeNotice }: SmartLinkProps) => (
  <Layout meta={meta} bodyClass="release">
    <main class="card">
      {artworkUrl ? (
        <img class="art" src={attr(artworkUrl)} alt={attr(`Cover art of ${title}${artist ? ` by ${artist}` : ""}`)} width="600" height="600" />
      ) : (
        <div class="art art-empty" role="img" aria-label="No cover art"></div>
      )}
      <header>
        <h1 safe>{title}</h1>
        {artist ? <p class="artist" safe>{artist}</p> : ""}
      </header>
      {safeNotice ?? ""}
      {buttons.length ? (
        <nav aria-label="Listen on">
          <ul class="dests">{buttons.map((b) => <DestinationButton {...b} />)}</ul>
        </nav>
      ) : (
        <p class="empty">No services yet.</p>
      )}
      {safeSignup}
    </main>
    {safeScripts}
  </Layout>
);
