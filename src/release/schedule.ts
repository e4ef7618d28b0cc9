import { catalogEntry, detectService } from "../catalog";
import { invalid } from "../errors";
import type { Destination, Link, LinkPatch } from "../links/model";
import type { ReleaseFields } from "./repo";
import { localToInstant } from "./moment";

type ReleaseInput = Pick<LinkPatch, "releaseDate" | "releaseTime" | "releaseTimeZone" | "presaves">;

const slugify = (text: string) => text.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").slice(0, 32).replace(/^-+|-+$/g, "");

/** "Pre-save on Spotify", "Pre-add on Apple Music" (Apple's own word), "Pre-save on distrokid.com". */
function presaveLabel(service: string | null, url: string): string {
  if (service === "apple-music") return "Pre-add on Apple Music";
  const name = (service && catalogEntry(service)?.name) || new URL(url).hostname.replace(/^www\./, "");
  return `Pre-save on ${name}`;
}

/**
 * Gives each pre-save link a click-out key ("presave-spotify", "presave-distrokid-com" …) that
 * no destination of the link uses, so /{slug}/go/{key} stays unambiguous.
 */
export function resolvePresaves(inputs: { url: string; label?: string }[], destinations: Destination[]): Destination[] {
  const used = new Set<string>(["featured", ...destinations.map((d) => d.key)]);
  return inputs.map((p) => {
    let service: string | null = null;
    try {
      service = detectService(p.url)?.id ?? null;
    } catch {
      service = null;
    }
    const label = p.label?.trim() || presaveLabel(service, p.url);
    const base = `presave-${service ?? (slugify(p.label?.trim() || new URL(p.url).hostname.replace(/^www\./, "")) || "link")}`;
    let key = base;
    for (let n = 2; used.has(key); n++) key = `${base}-${n}`;
    used.add(key);
    return { key, url: p.url, service, label, countryUrls: null, hiddenIn: null };
  });
}

const withoutKeys = (list: Destination[]) => list.map((d) => ({ url: d.url, label: d.label ?? undefined }));

/**
 * The release fields a create or edit leaves the link with. An absent field keeps its value,
 * null clears it; clearing the date clears the whole moment. Bad combinations are 422s naming
 * the field; moving the moment into the future again re-arms the release.
 */
export function resolveRelease(input: ReleaseInput, current: Link | null, type: "release" | "bio", destinations: Destination[], now: number): ReleaseFields {
  const keep = <T>(v: T | null | undefined, old: T | null) => (v === undefined ? old : v);
  const date = keep(input.releaseDate, current?.releaseDate ?? null);
  const typedTime = keep(input.releaseTime, current?.releaseTime ?? null);
  const zone = keep(input.releaseTimeZone, current?.releaseTimeZone ?? null);
  const presaveInputs = input.presaves ?? (current ? withoutKeys(current.presaves) : []);

  const fields: Record<string, string> = {};
  if (type === "bio") {
    if (input.releaseDate || input.releaseTime || input.releaseTimeZone) fields.releaseDate = "only a release link has a release date";
    if (input.presaves?.length) fields.presaves = "only a release link has pre-save links";
  } else if (date) {
    if (!zone) fields.releaseTimeZone = "is required with releaseDate (an IANA zone such as Europe/Berlin)";
  } else {
    // The date was left out or cleared: a time or zone typed without it means nothing.
    if (input.releaseDate === undefined && (input.releaseTime || input.releaseTimeZone)) fields.releaseDate = "is required with releaseTime and releaseTimeZone";
    if (input.presaves?.length) fields.presaves = "need a release date: they are shown only before it";
  }
  if (Object.keys(fields).length) throw invalid("The release date is not complete", fields);

  if (type === "bio" || !date) return { releaseDate: null, releaseTime: null, releaseTimeZone: null, releaseAt: null, releasedAt: null, presaves: [] };
  const time = typedTime ?? "00:00";
  const at = localToInstant(date, time, zone!);
  // A moment moved back into the future counts down again; one already handled stays handled.
  const releasedAt = current?.releaseAt === at || at <= now ? (current?.releasedAt ?? null) : null;
  return { releaseDate: date, releaseTime: time, releaseTimeZone: zone, releaseAt: at, releasedAt, presaves: resolvePresaves(presaveInputs, destinations) };
}

/** Before the release moment (by the clock, so a page switches at the instant on its own). */
export const isUpcoming = (link: Pick<Link, "type" | "releaseAt">, now: number) =>
  link.type === "release" && link.releaseAt !== null && now < link.releaseAt;
