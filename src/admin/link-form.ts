import { z } from "zod";
import { catalogEntry, detectService } from "../catalog";
import { EventName, HttpUrl, LinkCreate, LinkPatch, STANDARD_EVENTS, type Link } from "../links/model";
import type { TourDate } from "./bio-repo";
import { fieldErrors, formText } from "./context";

/** Rows a form may carry; more than the model allows, so the model's own limit gives the message. */
export const MAX_ROWS = 60;

export interface DestRow {
  url: string;
  label: string;
  /** Shown next to the URL: the service recognised from it. */
  service: string | null;
  /** Per-country URLs as typed, one "DE https://…" per line. */
  countries?: string;
  /** Countries where it is hidden, as typed ("CN, RU"). */
  hiddenIn?: string;
}

export interface TourRow {
  date: string;
  city: string;
  venue: string;
  ticketUrl: string;
}

/** The link form's state as typed: kept as strings so a failed save shows exactly what was sent. */
export interface LinkDraft {
  slug: string;
  type: "release" | "bio";
  title: string;
  artist: string;
  bio: string;
  artworkUrl: string;
  published: boolean;
  featuredSlug: string;
  pixelId: string;
  /** Write-only: whether one is stored, never its value. */
  hasAccessToken: boolean;
  clickEvent: string;
  clickEventCustom: string;
  emailSignup: boolean;
  /** Fan routing (release links). */
  autoRoute: boolean;
  autoRouteDelayMs: string;
  deviceOrder: boolean;
  /** Release day (release links): local date, time and IANA zone, and pre-save links. */
  releaseDate: string;
  releaseTime: string;
  releaseTimeZone: string;
  presaves: DestRow[];
  dests: DestRow[];
  socials: DestRow[];
  tours: TourRow[];
}

const detect = (url: string) => {
  try {
    return detectService(url.trim())?.id ?? null;
  } catch {
    return null;
  }
};

const isSocialDest = (d: { service: string | null; label: string | null }) => !d.label && d.service !== null && catalogEntry(d.service)?.kind === "social";

export function emptyDraft(type: "release" | "bio"): LinkDraft {
  return {
    slug: "", type, title: "", artist: "", bio: "", artworkUrl: "", published: true, featuredSlug: "", pixelId: "",
    hasAccessToken: false, clickEvent: "", clickEventCustom: "", emailSignup: false,
    autoRoute: true, autoRouteDelayMs: "1500", deviceOrder: false,
    releaseDate: "", releaseTime: "", releaseTimeZone: "", presaves: [],
    dests: [{ url: "", label: "", service: null }, { url: "", label: "", service: null }, { url: "", label: "", service: null }],
    socials: type === "bio" ? [{ url: "", label: "", service: null }] : [],
    tours: [],
  };
}

/** Splits the stored click-out event name into the select and the custom field. */
export function eventChoice(name: string | null): { clickEvent: string; clickEventCustom: string } {
  if (!name) return { clickEvent: "", clickEventCustom: "" };
  return (STANDARD_EVENTS as readonly string[]).includes(name) ? { clickEvent: name, clickEventCustom: "" } : { clickEvent: "custom", clickEventCustom: name };
}

export function draftFromLink(link: Link, tours: TourDate[], emailSignup: boolean): LinkDraft {
  const rows = link.destinations.map((d) => ({
    url: d.url, label: d.label ?? "", service: d.service, social: link.type === "bio" && isSocialDest(d),
    countries: Object.entries(d.countryUrls ?? {}).map(([cc, url]) => `${cc} ${url}`).join("\n"), hiddenIn: (d.hiddenIn ?? []).join(", "),
  }));
  return {
    slug: link.slug, type: link.type, title: link.title, artist: link.artist, bio: link.bio, artworkUrl: link.artworkUrl ?? "",
    published: link.published, featuredSlug: link.featuredSlug ?? "", pixelId: link.pixelId ?? "",
    hasAccessToken: link.accessToken !== null, ...eventChoice(link.clickEventName), emailSignup,
    autoRoute: link.autoRoute, autoRouteDelayMs: String(link.autoRouteDelayMs), deviceOrder: link.deviceOrder,
    releaseDate: link.releaseDate ?? "", releaseTime: link.releaseTime ?? "", releaseTimeZone: link.releaseTimeZone ?? "",
    presaves: link.presaves.map((p) => ({ url: p.url, label: p.label ?? "", service: p.service })),
    // A known service's label is its name, which the form does not repeat.
    dests: rows.filter((r) => !r.social).map(({ url, label, service, countries, hiddenIn }) => ({ url, label: service && label === catalogEntry(service)?.name ? "" : label, service, countries, hiddenIn })),
    socials: rows.filter((r) => r.social).map(({ url, service }) => ({ url, label: "", service })),
    tours: tours.map((t) => ({ date: t.date, city: t.city, venue: t.venue, ticketUrl: t.ticketUrl ?? "" })),
  };
}

/** Reads numbered rows (`dest-0-url`, `dest-0-pos`, `dest-0-remove` …), drops removed ones and orders them by their position field. */
function rows<T>(text: (n: string, max?: number) => string, prefix: string, read: (field: (name: string) => string) => T): T[] {
  const found: { row: T; pos: number; index: number }[] = [];
  for (let i = 0; i < MAX_ROWS; i++) {
    const field = (name: string) => text(`${prefix}-${i}-${name}`, 4096);
    if (!text(`${prefix}-${i}-present`) && !field("url") && !field("date")) continue;
    if (field("remove")) continue;
    const pos = Number.parseFloat(field("pos"));
    found.push({ row: read(field), pos: Number.isFinite(pos) ? pos : i + 1, index: i });
  }
  return found.sort((a, b) => a.pos - b.pos || a.index - b.index).map((f) => f.row);
}

const blankDest = (d: DestRow) => !d.url.trim() && !d.label.trim();
const blankTour = (t: TourRow) => !t.date.trim() && !t.city.trim() && !t.venue.trim() && !t.ticketUrl.trim();

export function draftFromForm(body: unknown, type: "release" | "bio", hasAccessToken: boolean): LinkDraft {
  const text = formText(body);
  const dest = (field: (name: string) => string): DestRow => ({
    url: field("url"), label: field("label"), service: detect(field("url")), countries: field("countries"), hiddenIn: field("hiddenIn"),
  });
  return {
    slug: text("slug", 200), type, title: text("title", 1000), artist: text("artist", 1000), bio: text("bio", 5000),
    artworkUrl: text("artworkUrl", 4096), published: text("published") === "on", featuredSlug: text("featuredSlug", 200),
    pixelId: text("pixelId", 200), hasAccessToken, clickEvent: text("clickEvent", 100), clickEventCustom: text("clickEventCustom", 200),
    emailSignup: text("emailSignup") === "on",
    autoRoute: text("autoRoute") === "on", autoRouteDelayMs: text("autoRouteDelayMs", 20), deviceOrder: text("deviceOrder") === "on",
    releaseDate: text("releaseDate", 100), releaseTime: text("releaseTime", 100), releaseTimeZone: text("releaseTimeZone", 100),
    presaves: type === "release" ? rows(text, "presave", dest) : [],
    dests: rows(text, "dest", dest),
    socials: type === "bio" ? rows(text, "social", dest) : [],
    tours: type === "bio" ? rows(text, "tour", (f) => ({ date: f("date"), city: f("city"), venue: f("venue"), ticketUrl: f("ticketUrl") })) : [],
  };
}

const TourInput = z.object({
  date: z.string().trim().regex(/^\d{4}-\d{2}-\d{2}$/, "a date like 2026-06-30")
    .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), "is not a real date"),
  city: z.string().trim().min(1, "is required").max(100, "at most 100 characters"),
  venue: z.string().trim().max(100, "at most 100 characters"),
  ticketUrl: z.union([z.literal(""), HttpUrl]),
});

export interface DraftResult {
  /** What goes to linkService.create / update (validated by the same schema as the API). */
  input?: z.infer<typeof LinkPatch>;
  tours?: TourDate[];
  errors: Record<string, string>;
}

/**
 * Checks the draft with the API's own schema (LinkCreate for a new link, LinkPatch for an
 * edit) and names each error after the form field it belongs to.
 */
export function validateDraft(draft: LinkDraft, opts: { isNew: boolean; accessToken: string; clearAccessToken: boolean }): DraftResult {
  const dests = draft.dests.filter((d) => !blankDest(d));
  const socials = draft.socials.filter((d) => !blankDest(d));
  const tours = draft.tours.filter((t) => !blankTour(t));
  const errors: Record<string, string> = {};

  socials.forEach((s, i) => {
    const entry = s.service ? catalogEntry(s.service) : undefined;
    if (entry?.kind !== "social" && s.url.trim()) errors[`social-${i}-url`] ??= "is not a social profile we know (add it under Links instead)";
  });

  let clickEventName: string | null = null;
  if (draft.clickEvent === "custom") {
    const parsed = EventName.safeParse(draft.clickEventCustom);
    if (!parsed.success) errors.clickEventCustom = parsed.error.issues[0]!.message;
    else clickEventName = parsed.data;
  } else if (draft.clickEvent) {
    if ((STANDARD_EVENTS as readonly string[]).includes(draft.clickEvent)) clickEventName = draft.clickEvent;
    else errors.clickEvent = "pick an event from the list";
  }

  const input = {
    slug: draft.slug.trim(),
    type: draft.type,
    title: draft.title,
    artist: draft.artist,
    bio: draft.bio,
    artworkUrl: draft.artworkUrl.trim() || null,
    published: draft.published,
    featuredSlug: draft.type === "bio" && draft.featuredSlug ? draft.featuredSlug : null,
    destinations: [
      ...dests.map((d, i) => ({ url: d.url, ...(d.label.trim() ? { label: d.label } : {}), ...countryRules(d, i, errors) })),
      ...socials.map((d) => ({ url: d.url })),
    ],
    autoRoute: draft.autoRoute,
    autoRouteDelayMs: delayMs(draft.autoRouteDelayMs, errors),
    deviceOrder: draft.deviceOrder,
    pixelId: draft.pixelId.trim() || null,
    ...(opts.clearAccessToken ? { accessToken: null } : opts.accessToken.trim() ? { accessToken: opts.accessToken } : {}),
    clickEventName,
    // A blank date clears the release moment; bio hubs have none.
    ...(draft.type === "release" ? {
      releaseDate: draft.releaseDate.trim() || null,
      releaseTime: draft.releaseTime.trim() || null,
      releaseTimeZone: draft.releaseTimeZone.trim() || null,
      presaves: draft.presaves.filter((d) => !blankDest(d)).map((d) => ({ url: d.url, ...(d.label.trim() ? { label: d.label } : {}) })),
    } : {}),
  };
  const parsed = (opts.isNew ? LinkCreate : LinkPatch).safeParse(input);
  if (!parsed.success) Object.assign(errors, mapLinkErrors(fieldErrors(parsed.error.issues), dests.length), { ...errors });

  const tourOut: TourDate[] = [];
  if (tours.length > 100) errors.tours = "at most 100 dates";
  tours.forEach((t, i) => {
    const p = TourInput.safeParse(t);
    if (!p.success) for (const [k, v] of Object.entries(fieldErrors(p.error.issues))) errors[`tour-${i}-${k}`] ??= v;
    else tourOut.push({ date: p.data.date, city: p.data.city, venue: p.data.venue, ticketUrl: p.data.ticketUrl || null });
  });

  if (Object.keys(errors).length) return { errors };
  tourOut.sort((a, b) => a.date.localeCompare(b.date));
  return { input: parsed.data, tours: tourOut, errors };
}

/** "DE https://…" lines (or "DE=https://…", comma separated) and "CN, RU" as the model takes them; bad lines are errors on the row. */
function countryRules(d: DestRow, i: number, errors: Record<string, string>): { countryUrls?: Record<string, string>; hiddenIn?: string[] } {
  const out: { countryUrls?: Record<string, string>; hiddenIn?: string[] } = {};
  const lines = (d.countries ?? "").split(/[\n,]+/).map((l) => l.trim()).filter(Boolean);
  if (lines.length) {
    const urls: Record<string, string> = {};
    for (const line of lines) {
      const m = /^([A-Za-z]{2})\s*[=:\s]\s*(\S+)$/.exec(line);
      if (!m) {
        errors[`dest-${i}-countries`] ??= `“${line.slice(0, 60)}” is not “CC https://…” (a two-letter country code, then the URL)`;
        continue;
      }
      urls[m[1]!.toUpperCase()] = m[2]!;
    }
    out.countryUrls = urls;
  }
  const hidden = (d.hiddenIn ?? "").split(/[\s,;]+/).filter(Boolean);
  if (hidden.length) out.hiddenIn = hidden;
  return out;
}

/** The auto-route delay as typed; an error names the field when it is not a whole number. */
function delayMs(text: string, errors: Record<string, string>): number {
  const t = text.trim();
  if (t === "") return 1500;
  if (!/^\d{1,6}$/.test(t)) {
    errors.autoRouteDelayMs = "a whole number of milliseconds, 0 to 10000";
    return 1500;
  }
  return Number(t);
}

/** Model field paths ("destinations.3.url") to form field names ("social-1-url"). */
export function mapLinkErrors(fields: Record<string, string>, destCount: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, message] of Object.entries(fields)) {
    const m = /^destinations\.(\d+)\.(\w+)(?:\..*)?$/.exec(path);
    if (m) {
      const i = Number(m[1]);
      const field = m[2] === "label" ? "label" : m[2] === "countryUrls" ? "countries" : m[2] === "hiddenIn" ? "hiddenIn" : "url";
      out[i < destCount ? `dest-${i}-${field}` : `social-${i - destCount}-url`] ??= message;
    } else if (path === "destinations") out.dests ??= message;
    else if (/^presaves\.\d+\.(url|label)$/.test(path)) out[path.replace(/^presaves\.(\d+)\.(\w+)$/, "presave-$1-$2")] ??= message;
    else if (path === "accessToken") out.accessToken ??= message.replace(/^Too small.*/, "at least 10 characters");
    else out[path] ??= message;
  }
  return out;
}

/** Only after a draft was tidied (blank rows dropped) do row numbers match the errors again. */
export function tidyDraft(draft: LinkDraft): LinkDraft {
  return { ...draft, dests: draft.dests.filter((d) => !blankDest(d)), presaves: draft.presaves.filter((d) => !blankDest(d)), socials: draft.socials.filter((d) => !blankDest(d)), tours: draft.tours.filter((t) => !blankTour(t)) };
}
