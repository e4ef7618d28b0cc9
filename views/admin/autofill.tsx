import { AdminLayout, Csrf, type Shell } from "./layout";
import { FieldError } from "./fields";
import type { AutofillResult, Candidate, CatalogueReport, FieldMatch, Via } from "../../src/autofill/model";
import { CATALOGUE_NAMES } from "../../src/autofill/model";

const VIA_LABEL: Record<Via, string> = { input: "your link", id: "exact look-up", links: "cross-link", search: "title/artist search" };

const sourceName = (c: string) => (c === "pasted" ? "Pasted link" : (CATALOGUE_NAMES as Record<string, string>)[c] ?? c);

const STATUS_LABEL: Record<CatalogueReport["status"], string> = {
  ok: "answered", no_match: "no match", not_asked: "not asked", timeout: "timed out",
  unavailable: "failed", rate_limited: "rate limited", bad_answer: "failed",
};

/** The paste box: a GET form, so it works without JavaScript and a result page can be bookmarked. */
export const AutofillBox = ({ slug, q, error }: { slug: string; q: string; error?: string }) => (
  <form method="get" action={`/admin/links/${slug}/autofill`} class="autofill-box" role="search">
    <label>
      <span>Auto-fill: paste a link (Spotify, Apple Music, Deezer, YouTube Music, TIDAL …), a UPC or an ISRC</span>
      <input type="text" name="q" value={q} placeholder="https://open.spotify.com/album/… or 602445790982 or GBAYE0601498" maxlength={2048}
        aria-invalid={error ? "true" : undefined} aria-describedby={error ? "q-error" : undefined} />
      {error ? <FieldError name="q" error={error} /> : <small>Opens a page with the matches to tick; unsaved changes in the form below are not kept.</small>}
    </label>
    <button type="submit" class="secondary">Find on other services</button>
  </form>
);

const Confidence = ({ level, value }: { level: string; value: number }) => (
  <span class={`badge conf-${level}`} safe>{`${level} (${Math.round(value * 100)}%)`}</span>
);

const Catalogues = ({ reports }: { reports: CatalogueReport[] }) => (
  <ul class="catalogues">
    {reports.map((r) => (
      <li>
        <strong safe>{r.name}</strong>{": "}
        <span class={`badge status-${r.status}`} safe>{STATUS_LABEL[r.status]}</span>
        {r.message ? <>{" "}<span class="muted" safe>{r.message}</span></> : ""}
      </li>
    ))}
  </ul>
);

/** One of title, artist, artwork: the suggestion, who said it, and a tick box only where the link's own is empty. */
const FieldRow = ({ label, name, match, current, image }: { label: string; name: string; match: FieldMatch | null; current: string; image?: boolean }) => {
  if (!match) return <tr><th scope="row" safe>{label}</th><td colspan="3" class="muted">No catalogue gave one.</td></tr>;
  return (
    <tr>
      <th scope="row" safe>{label}</th>
      <td>
        {image ? <img class="thumb" src={match.value} alt="Suggested artwork" width="64" height="64" /> : <span safe>{match.value}</span>}
        {match.alternatives.length && image ? (
          <div class="muted" safe>{`Other images from: ${[...new Set(match.alternatives.flatMap((a) => a.sources))].map(sourceName).join(", ")}`}</div>
        ) : match.alternatives.length ? (
          <div class="conflict">
            <span class="badge warn">catalogues disagree</span>{" "}
            {match.alternatives.map((alt) => <span class="muted" safe>{`“${alt.value}” (${alt.sources.map(sourceName).join(", ")}) `}</span>)}
          </div>
        ) : ""}
      </td>
      <td><span safe>{match.sources.map(sourceName).join(", ")}</span><br /><Confidence level={match.level} value={match.confidence} /></td>
      <td>
        {current ? (
          <span class="muted" safe>{`Kept: yours is ${image ? "set" : `“${current}”`}`}</span>
        ) : (
          <label>
            <input type="checkbox" name={`use-${name}`} value="on" checked />
            <input type="hidden" name={name} value={match.value} />
            <span>Use it</span>
          </label>
        )}
      </td>
    </tr>
  );
};

const CandidateRow = ({ c, i, existing }: { c: Candidate; i: number; existing: string | undefined }) => (
  <tr>
    <td>
      {existing !== undefined ? (
        <span class="muted">—</span>
      ) : (
        <>
          <input type="checkbox" name={`accept-${i}`} value="on" checked={c.level === "high" && !c.conflict} aria-label={`Add ${c.serviceName}`} />
          <input type="hidden" name={`cand-${i}-url`} value={c.url} />
          <input type="hidden" name={`cand-${i}-service`} value={c.service} />
        </>
      )}
    </td>
    <td>
      <img src={`/assets/icons/${c.service}.svg`} alt="" width="20" height="20" /> <strong safe>{c.serviceName}</strong>
      {c.conflict ? <>{" "}<span class="badge warn">conflict: pick one</span></> : ""}
      <br /><a href={c.url} rel="noreferrer noopener" target="_blank" class="url" safe>{c.url}</a>
      {existing !== undefined ? <><br /><span class="muted" safe>{`Kept: the link already has ${c.serviceName} (${existing})`}</span></> : ""}
    </td>
    <td safe>{c.sources.map((s) => `${sourceName(s.catalogue)} (${VIA_LABEL[s.via]})`).join(", ")}</td>
    <td><Confidence level={c.level} value={c.confidence} /></td>
  </tr>
);

export interface AutofillPageProps {
  shell: Shell;
  slug: string;
  linkTitle: string;
  /** No link yet: the ticked matches fill the new-link form. */
  isNew?: boolean;
  q: string;
  errors: Record<string, string>;
  result: AutofillResult | null;
  /** The link's own values: kept, never overwritten. */
  current: { title: string; artist: string; artworkUrl: string; services: Map<string, string> };
}

export const AutofillPage = (p: AutofillPageProps) => (
  <AdminLayout shell={p.shell} title={`Auto-fill ${p.linkTitle}`} current="links">
    <hgroup>
      <h1 safe>{`Auto-fill: ${p.linkTitle}`}</h1>
      <p><a href={`/admin/links/${p.slug}`}>Back to the editor</a></p>
    </hgroup>
    {p.errors.form ? <p class="alert error" role="alert" safe>{p.errors.form}</p> : ""}
    <AutofillBox slug={p.slug} q={p.q} error={p.errors.q} />
    {p.result ? (
      <>
        <section>
          <h2>Catalogues</h2>
          {p.result.partial ? <p class="alert warn" role="status">Some catalogues did not answer: the matches below may lack services. Try again later to fill the rest.</p> : ""}
          <Catalogues reports={p.result.catalogues} />
        </section>
        <form method="post" action={`/admin/links/${p.slug}/autofill`}>
          <Csrf shell={p.shell} />
          <input type="hidden" name="q" value={p.q} />
          <section>
            <h2>Release</h2>
            <table>
              <tbody>
                <FieldRow label="Title" name="title" match={p.result.title} current={p.current.title} />
                <FieldRow label="Artist" name="artist" match={p.result.artist} current={p.current.artist} />
                <FieldRow label="Artwork" name="artworkUrl" match={p.result.artworkUrl} current={p.current.artworkUrl} image />
              </tbody>
            </table>
          </section>
          <section>
            <h2>Services</h2>
            {p.result.destinations.length ? (
              <table>
                <thead><tr><th scope="col">Add</th><th scope="col">Service and link</th><th scope="col">Found by</th><th scope="col">Confidence</th></tr></thead>
                <tbody>
                  {p.result.destinations.map((c, i) => <CandidateRow c={c} i={i} existing={p.current.services.get(c.service)} />)}
                </tbody>
              </table>
            ) : <p class="muted">No catalogue found this release on a streaming service.</p>}
            <p class="muted">{p.isNew ? "Where catalogues disagree, tick the one you want: only the first ticked per service is used." : "Services the link already has are kept as they are. Where catalogues disagree, tick the one you want: only the first ticked per service is added."}</p>
          </section>
          <button type="submit">{p.isNew ? "Start the link with the ticked ones" : "Add the ticked ones"}</button>
        </form>
      </>
    ) : ""}
  </AdminLayout>
);
