import { z } from "zod";
import { isTimeZone } from "../stats/time-zone";
import { isLocalDate, isLocalTime } from "../release/moment";

/** Paths the app itself serves; a slug may never shadow them. */
export const RESERVED_SLUGS = new Set([
  "admin", "api", "assets", "media", "healthz", "static", "favicon.ico", "robots.txt",
  "openapi", "docs", "metrics", "login", "logout", "setup", "sitemap.xml", "well-known",
  ".well-known", "go", "s", "u", "unsubscribe", "new", "apple-touch-icon.png", "manifest.json",
]);

export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

export const Slug = z
  .string()
  .regex(SLUG_PATTERN, "1–64 characters of a-z, 0-9 and '-', not starting or ending with '-'")
  .refine((s) => !RESERVED_SLUGS.has(s), "is a reserved word");

export function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return (u.protocol === "http:" || u.protocol === "https:") && u.hostname !== "";
  } catch {
    return false;
  }
}

export const HttpUrl = z
  .string()
  .trim()
  .max(2048, "at most 2048 characters")
  .refine(isHttpUrl, "must be an http:// or https:// URL");

/** Artwork may be an external URL or a file uploaded to this instance's /media. */
export const ImageRef = z
  .string()
  .trim()
  .max(2048)
  .refine((v) => isHttpUrl(v) || /^\/media\/[a-f0-9]{16,64}\.(jpg|png|webp|gif)$/.test(v), "must be an http(s) URL");

const oneLine = (max: number) =>
  z.string().trim().max(max, `at most ${max} characters`).refine((v) => !/[\u0000-\u001f]/.test(v), "must be one line");

/** An ISO 3166-1 alpha-2 country code, as the country database and CF-IPCountry give it. */
export const CountryCode = z.string().trim().toUpperCase().regex(/^[A-Z]{2}$/, "must be a two-letter country code like DE");

export const DestinationInput = z.object({
  url: HttpUrl,
  service: z.string().trim().max(40).optional(),
  label: oneLine(80).optional(),
  /** A different stored URL for fans in these countries (e.g. a regional store). */
  countryUrls: z.record(z.string().regex(/^[A-Z]{2}$/, "must be a two-letter country code like DE"), HttpUrl)
    .refine((r) => Object.keys(r).length <= 250, "at most 250 countries").optional(),
  /** Countries where the service is not available: the button is not shown there. */
  hiddenIn: z.array(CountryCode).max(250, "at most 250 countries").optional(),
});

export const PixelId = z.string().trim().regex(/^\d{5,20}$/, "must be the numeric pixel id");

/** Meta's standard events; anything else is sent as a custom event. */
export const STANDARD_EVENTS = [
  "AddPaymentInfo", "AddToCart", "AddToWishlist", "CompleteRegistration", "Contact",
  "CustomizeProduct", "Donate", "FindLocation", "InitiateCheckout", "Lead", "Purchase",
  "Schedule", "Search", "StartTrial", "SubmitApplication", "Subscribe", "ViewContent",
] as const;

export const EventName = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_ -]{0,49}$/, "a Meta standard event or a custom name of at most 50 letters, digits, '_', '-' or spaces");

const nullable = <T extends z.ZodType>(t: T) => t.nullable().optional();

/** The release moment as the artist means it: a local date and time in an IANA zone. */
export const ReleaseDate = z.string().trim().refine(isLocalDate, "must be a real date written YYYY-MM-DD");
export const ReleaseTime = z.string().trim().refine(isLocalTime, "must be a time HH:MM from 00:00 to 23:59");
export const ReleaseTimeZone = z.string().trim().refine(isTimeZone, "must be an IANA time zone such as Europe/Berlin");

/** A pre-save / pre-add page (distributor, Spotify Countdown Page, Apple Music pre-add), shown only before release. */
export const PresaveInput = z.object({
  url: HttpUrl,
  label: oneLine(80).optional(),
});
const Presaves = z.array(PresaveInput).max(10, "at most 10 pre-save links");

export const LinkCreate = z.object({
  slug: Slug,
  type: z.enum(["release", "bio"]).default("release"),
  title: oneLine(200).min(1, "is required"),
  artist: oneLine(200).default(""),
  bio: z.string().trim().max(1000, "at most 1000 characters").default(""),
  artworkUrl: nullable(ImageRef),
  published: z.boolean().default(true),
  featuredSlug: nullable(Slug),
  destinations: z.array(DestinationInput).max(50, "at most 50 destinations").default([]),
  pixelId: nullable(PixelId),
  extraPixelId: nullable(PixelId),
  accessToken: nullable(z.string().trim().min(10).max(512)),
  clickEventName: nullable(EventName),
  /** Route a returning fan to the service they picked last time (release links). */
  autoRoute: z.boolean().default(true),
  autoRouteDelayMs: z.number().int("a whole number of milliseconds").min(0, "at least 0").max(10_000, "at most 10000 (10 s)").default(1500),
  /** Put the fan's platform's own service first (Apple Music on iOS and macOS, YouTube Music on Android). */
  deviceOrder: z.boolean().default(false),
  releaseDate: nullable(ReleaseDate),
  /** Defaults to 00:00 when a release date is given. */
  releaseTime: nullable(ReleaseTime),
  releaseTimeZone: nullable(ReleaseTimeZone),
  presaves: Presaves.default([]),
});
export type LinkCreate = z.infer<typeof LinkCreate>;

export const LinkPatch = LinkCreate.partial().extend({
  // Optional without defaults, so an absent field stays unchanged.
  type: z.enum(["release", "bio"]).optional(),
  artist: oneLine(200).optional(),
  bio: z.string().trim().max(1000).optional(),
  published: z.boolean().optional(),
  destinations: z.array(DestinationInput).max(50, "at most 50 destinations").optional(),
  autoRoute: z.boolean().optional(),
  autoRouteDelayMs: z.number().int("a whole number of milliseconds").min(0, "at least 0").max(10_000, "at most 10000 (10 s)").optional(),
  deviceOrder: z.boolean().optional(),
  presaves: Presaves.optional(),
});
export type LinkPatch = z.infer<typeof LinkPatch>;

export const SlugParams = z.object({ slug: z.string().max(200) });

export interface Destination {
  key: string;
  url: string;
  service: string | null;
  label: string | null;
  /** Country code → URL for fans there; null when the destination has none. */
  countryUrls: Record<string, string> | null;
  /** Country codes where the button is hidden; null when none. */
  hiddenIn: string[] | null;
}

export interface Link {
  id: number;
  slug: string;
  type: "release" | "bio";
  title: string;
  artist: string;
  bio: string;
  artworkUrl: string | null;
  published: boolean;
  featuredSlug: string | null;
  pixelId: string | null;
  extraPixelId: string | null;
  accessToken: string | null;
  clickEventName: string | null;
  autoRoute: boolean;
  autoRouteDelayMs: number;
  deviceOrder: boolean;
  /** The release moment as typed (local date, time, zone) and the UTC instant it is; null without one. */
  releaseDate: string | null;
  releaseTime: string | null;
  releaseTimeZone: string | null;
  releaseAt: number | null;
  /** When the scheduler handled the moment (notifications queued); null before. */
  releasedAt: number | null;
  /** Pre-save links: click-out destinations shown only before the release. */
  presaves: Destination[];
  createdAt: number;
  updatedAt: number;
  destinations: Destination[];
  /** A bio hub's tour dates, ordered by date (edited in the admin). */
  tourDates?: TourDate[];
}

export interface TourDate {
  /** YYYY-MM-DD, the show's local date. */
  date: string;
  city: string;
  venue: string;
  ticketUrl: string | null;
}

/** The link as the API shows it: secrets replaced by a flag. */
export function publicLink(link: Link) {
  const { accessToken, createdAt, updatedAt, releaseAt, releasedAt, presaves, ...rest } = link;
  return {
    ...rest,
    // Country rules are for destinations; a pre-save link has none.
    presaves: presaves.map(({ countryUrls: _c, hiddenIn: _h, ...p }) => p),
    releaseAt: releaseAt === null ? null : new Date(releaseAt).toISOString(),
    releasedAt: releasedAt === null ? null : new Date(releasedAt).toISOString(),
    hasAccessToken: accessToken !== null,
    createdAt: new Date(createdAt).toISOString(),
    updatedAt: new Date(updatedAt).toISOString(),
  };
}
