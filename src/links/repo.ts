import type { Database } from "bun:sqlite";
import { writeTransaction } from "../db/open";
import type { Destination, Link, TourDate } from "./model";
import { releaseRepo, type ReleaseFields } from "../release/repo";

type LinkRow = Omit<Link, "destinations" | "published" | "autoRoute" | "deviceOrder" | keyof ReleaseFields> & { published: number; autoRoute: number; deviceOrder: number };
type DestinationRow = Omit<Destination, "countryUrls" | "hiddenIn"> & { countryUrls: string | null; hiddenIn: string | null };

type LinkFields = {
  slug: string; type: string; title: string; artist: string; bio: string;
  artworkUrl: string | null; published: number; featuredSlug: string | null;
  pixelId: string | null; extraPixelId: string | null; accessToken: string | null;
  clickEventName: string | null; autoRoute: number; autoRouteDelayMs: number; deviceOrder: number; now: number;
};

const COLUMNS = `id, slug, type, title, artist, bio, artwork_url AS artworkUrl, published,
  featured_slug AS featuredSlug, pixel_id AS pixelId, extra_pixel_id AS extraPixelId,
  access_token AS accessToken, click_event_name AS clickEventName,
  auto_route AS autoRoute, auto_route_delay_ms AS autoRouteDelayMs, device_order AS deviceOrder,
  created_at AS createdAt, updated_at AS updatedAt`;

export function linkRepo(db: Database) {
  const releases = releaseRepo(db);
  const bySlug = db.query<LinkRow, { slug: string }>(`SELECT ${COLUMNS} FROM links WHERE slug = $slug`);
  const all = db.query<LinkRow, []>(`SELECT ${COLUMNS} FROM links ORDER BY created_at DESC, id DESC`);
  const newestRelease = db.query<{ slug: string }, []>(
    "SELECT slug FROM links WHERE type = 'release' AND published = 1 ORDER BY created_at DESC, id DESC LIMIT 1");
  const destinationsOf = db.query<DestinationRow, { linkId: number }>(
    `SELECT key, url, service, label, country_urls AS countryUrls, hidden_in AS hiddenIn
     FROM destinations WHERE link_id = $linkId ORDER BY position`);
  const insert = db.query<{ id: number }, LinkFields>(
    `INSERT INTO links (slug, type, title, artist, bio, artwork_url, published, featured_slug, pixel_id,
       extra_pixel_id, access_token, click_event_name, auto_route, auto_route_delay_ms, device_order, created_at, updated_at)
     VALUES ($slug, $type, $title, $artist, $bio, $artworkUrl, $published, $featuredSlug, $pixelId,
       $extraPixelId, $accessToken, $clickEventName, $autoRoute, $autoRouteDelayMs, $deviceOrder, $now, $now)
     RETURNING id`);
  const update = db.query<null, LinkFields & { id: number }>(
    `UPDATE links SET slug = $slug, type = $type, title = $title, artist = $artist, bio = $bio,
       artwork_url = $artworkUrl, published = $published, featured_slug = $featuredSlug, pixel_id = $pixelId,
       extra_pixel_id = $extraPixelId, access_token = $accessToken, click_event_name = $clickEventName,
       auto_route = $autoRoute, auto_route_delay_ms = $autoRouteDelayMs, device_order = $deviceOrder, updated_at = $now
     WHERE id = $id`);
  const remove = db.query<null, { id: number }>("DELETE FROM links WHERE id = $id");
  const clearDestinations = db.query<null, { linkId: number }>("DELETE FROM destinations WHERE link_id = $linkId");
  const insertDestination = db.query<null, {
    linkId: number; position: number; key: string; service: string | null; label: string | null; url: string;
    countryUrls: string | null; hiddenIn: string | null;
  }>(
    `INSERT INTO destinations (link_id, position, key, service, label, url, country_urls, hidden_in)
     VALUES ($linkId, $position, $key, $service, $label, $url, $countryUrls, $hiddenIn)`);

  const toursOf = db.query<TourDate, { linkId: number }>(
    "SELECT date, city, venue, ticket_url AS ticketUrl FROM tour_dates WHERE link_id = $linkId ORDER BY date, id");

  const hydrate = (row: LinkRow | null): Link | null =>
    row && {
      ...row, published: row.published === 1, autoRoute: row.autoRoute === 1, deviceOrder: row.deviceOrder === 1,
      destinations: destinationsOf.all({ linkId: row.id }).map((d) => ({
        ...d, countryUrls: d.countryUrls ? JSON.parse(d.countryUrls) : null, hiddenIn: d.hiddenIn ? JSON.parse(d.hiddenIn) : null,
      })),
      ...releases.of(row.id),
      ...(row.type === "bio" ? { tourDates: toursOf.all({ linkId: row.id }) } : {}),
    };

  const write = (link: Omit<Link, "id" | "createdAt" | "updatedAt">, now: number): LinkFields => ({
    slug: link.slug, type: link.type, title: link.title, artist: link.artist, bio: link.bio,
    artworkUrl: link.artworkUrl, published: link.published ? 1 : 0, featuredSlug: link.featuredSlug,
    pixelId: link.pixelId, extraPixelId: link.extraPixelId, accessToken: link.accessToken,
    clickEventName: link.clickEventName, autoRoute: link.autoRoute ? 1 : 0, autoRouteDelayMs: link.autoRouteDelayMs,
    deviceOrder: link.deviceOrder ? 1 : 0, now,
  });

  const saveDestinations = (linkId: number, destinations: Destination[]) => {
    clearDestinations.run({ linkId });
    destinations.forEach((d, position) =>
      insertDestination.run({
        linkId, position, key: d.key, service: d.service, label: d.label, url: d.url,
        countryUrls: d.countryUrls && Object.keys(d.countryUrls).length ? JSON.stringify(d.countryUrls) : null,
        hiddenIn: d.hiddenIn?.length ? JSON.stringify(d.hiddenIn) : null,
      }));
  };

  return {
    bySlug: (slug: string) => hydrate(bySlug.get({ slug })),
    list: () => all.all().map((r) => hydrate(r)!),
    newestReleaseSlug: () => newestRelease.get()?.slug ?? null,
    create: writeTransaction(db, (link: Omit<Link, "id" | "createdAt" | "updatedAt">, now: number) => {
      const { id } = insert.get(write(link, now))!;
      saveDestinations(id, link.destinations);
      releases.save(id, link);
      return id;
    }),
    update: writeTransaction(db, (link: Link, now: number) => {
      update.run({ ...write(link, now), id: link.id });
      saveDestinations(link.id, link.destinations);
      releases.save(link.id, link);
    }),
    remove: (id: number) => remove.run({ id }).changes > 0,
  };
}
export type LinkRepo = ReturnType<typeof linkRepo>;
