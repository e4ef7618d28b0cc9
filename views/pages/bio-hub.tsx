import { attr } from "../attr";
import { Layout, type Meta } from "../layout";
import { DestinationButton, type ButtonProps } from "../components/destination-button";

export interface SocialIcon {
  href: string;
  icon: string;
  name: string;
  destKey: string;
}

export interface BioHubProps {
  meta: Meta;
  name: string;
  bio: string;
  avatarUrl: string | null;
  featured: { href: string; title: string; artist: string; artworkUrl: string | null } | null;
  links: ButtonProps[];
  socials: SocialIcon[];
  /** Upcoming shows only; the props builder drops past ones. */
  tours?: TourView[];
  safeScripts?: JSX.Element;
  /** The fan signup form, when the link has one (trusted markup). */
  safeSignup?: JSX.Element;
  /** Per-view notice (an in-app browser hint; trusted markup). */
  safeNotice?: string;
}

export interface TourView {
  when: string;
  place: string;
  /** The ticket link through the click-out route; null when the show has no ticket URL. */
  href: string | null;
  destKey: string;
}

export const BioHubPage = ({ meta, name, bio, avatarUrl, featured, links, socials, tours = [], safeScripts, safeSignup, safeNotice }: BioHubProps) => (
  <Layout meta={meta} bodyClass="bio">
    <main class="card">
      <header class="hub-head">
        {avatarUrl ? (
          <img class="avatar" src={attr(avatarUrl)} alt={attr(`Photo of ${name}`)} width="112" height="112" />
        ) : (
          <div class="avatar avatar-empty" aria-hidden="true"></div>
        )}
        <h1 safe>{name}</h1>
        {bio ? <p class="bio-text" safe>{bio}</p> : ""}
      </header>
      {safeNotice ?? ""}
      {featured ? (
        <section class="featured" aria-label="Latest release">
          <a class="feature" href={featured.href}>
            {featured.artworkUrl ? (
              <img src={attr(featured.artworkUrl)} alt="" width="96" height="96" />
            ) : (
              <span class="art-empty feature-art" aria-hidden="true"></span>
            )}
            <span class="feature-text">
              <span class="kicker">Latest release</span>
              <strong safe>{featured.title}</strong>
              {featured.artist ? <span safe>{featured.artist}</span> : ""}
            </span>
          </a>
        </section>
      ) : ""}
      {links.length > 0 && (
        <nav aria-label="Links">
          <ul class="dests">{links.map((b) => <DestinationButton {...b} />)}</ul>
        </nav>
      )}
      {tours.length > 0 && (
        <section class="tours" aria-label="Tour dates">
          <ul class="dests">
            {tours.map((t) => (
              <li>
                {t.href ? (
                  <a class="dest" href={t.href} data-key={t.destKey}>
                    <span class="name" safe>{`${t.when} · ${t.place}`}</span>
                    <span class="act">Tickets</span>
                  </a>
                ) : (
                  <span class="dest"><span class="name" safe>{`${t.when} · ${t.place}`}</span></span>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}
      {socials.length > 0 && (
        <nav aria-label="Socials">
          <ul class="socials">
            {socials.map((s) => (
              <li>
                <a href={s.href} data-key={s.destKey} aria-label={attr(s.name)}>
                  <img src={`/assets/icons/${s.icon}.svg`} alt="" width="28" height="28" />
                </a>
              </li>
            ))}
          </ul>
        </nav>
      )}
      {safeSignup}
    </main>
    {safeScripts}
  </Layout>
);
