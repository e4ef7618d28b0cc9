/** The dead-link monitor's word on one destination, as the admin shows it (times already formatted). */
export interface HealthView {
  verdict: "ok" | "broken" | "unknown" | "unchecked";
  answer: string | null;
  checkedAt: string | null;
  brokenSince: string | null;
  failures: number;
  /** The page leaves it out right now. */
  hidden: boolean;
}

/** A line under a destination row in the editor. */
export const HealthNote = ({ h }: { h: HealthView | null }) => {
  if (!h || h.verdict === "unchecked") return <p class="health" data-health="unchecked"><small class="muted">Not checked yet.</small></p>;
  if (h.verdict === "broken") {
    return (
      <p class="health broken" data-health="broken" role="alert">
        <strong>Broken</strong>{" "}
        <span safe>{`since ${h.brokenSince ?? h.checkedAt ?? "?"} — answer seen: ${h.answer ?? "none"} (checked ${h.checkedAt ?? "?"}).`}</span>
        {h.hidden ? " Hidden from the page until a check sees it work again." : " Fans tapping it land on an error."}
      </p>
    );
  }
  if (h.failures > 0) {
    return (
      <p class="health failing" data-health="failing">
        <strong>Last check failed</strong>{" "}
        <span safe>{`— answer seen: ${h.answer ?? "none"} (checked ${h.checkedAt ?? "?"}).`}</span> Flagged as broken if the next check fails too.
      </p>
    );
  }
  if (h.verdict === "unknown") {
    return (
      <p class="health unknown" data-health="unknown">
        <span safe>{`Could not tell — answer seen: ${h.answer ?? "none"} (checked ${h.checkedAt ?? "?"}).`}</span> The site turns robots away; open the link yourself to be sure.
      </p>
    );
  }
  return <p class="health ok" data-health="ok"><small safe>{`Works — ${h.answer ?? "ok"} (checked ${h.checkedAt ?? "?"}).`}</small></p>;
};

export interface BrokenDest {
  name: string;
  answer: string;
  checkedAt: string;
}

/** The links list's flag: which destinations of a link are broken, with the answer and when. */
export const BrokenFlag = ({ broken }: { broken: BrokenDest[] }) =>
  broken.length ? (
    <ul class="broken-dests" data-broken={String(broken.length)}>
      {broken.map((b) => (
        <li>
          <span class="badge failed">Broken</span>{" "}
          <span safe>{`${b.name}: ${b.answer} (checked ${b.checkedAt})`}</span>
        </li>
      ))}
    </ul>
  ) : "";

/** Under a row's per-country URLs ("DE https://…" lines): the ones the monitor found broken or failing. */
export const CountryHealthNotes = ({ lines, healthOf }: { lines: string; healthOf: (url: string) => HealthView | null }) => {
  const notes = lines.split("\n").flatMap((line) => {
    const m = /^\s*([A-Za-z]{2})\s+(\S+)\s*$/.exec(line);
    const h = m ? healthOf(m[2]!) : null;
    return m && h && (h.verdict === "broken" || h.failures > 0) ? [{ country: m[1]!.toUpperCase(), h }] : [];
  });
  return notes.length ? (
    <div class="country-health">
      {notes.map((n) => <div data-country={n.country}><small safe>{`${n.country}:`}</small><HealthNote h={n.h} /></div>)}
    </div>
  ) : "";
};
