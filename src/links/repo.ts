import type { Database } from "bun:sqlite";
import type { Destination, Link, TourDate } from "./model";
import { releaseRepo, type ReleaseFields } from "../release/repo";

type LinkRow = Omit<Link, "destinations" | "published" | keyof ReleaseFields> & { published: number };

type LinkFields = {
  slug: string; type: string; title: string; artist: string; bio: string;
  artworkUrl: string | null; published: number; featuredSlug: string | null;
  pixelId: string | null; extraPixelId: string | null; accessToken: string | null;
  clickEventName: string | null; now: number;
};

const COLUMNS = `id, slug, type, title, artist, bio, artwork_url AS artworkUrl, published,
  featured_slug AS featuredSlug, pixel_id AS pixelId, extra_pixel_id AS extraPixelId,
  access_token AS accessToken, click_event_name AS clickEventName,
  created_at AS createdAt, updated_at AS updatedAt`;

export function linkRepo(db: Database) {
  const releases = releaseRepo(db);
  const bySlug = db.query<LinkRow, { slug: string }>(`SELECT ${COLUMNS} FROM links WHERE slug = $slug`);
  const all = db.query<LinkRow, []>(`SELECT ${COLUMNS} FROM links ORDER BY created_at DESC, id DESC`);
  const newestRelease = db.query<{ slug: string }, []>(
    "SELECT slug FROM links WHERE type = 'release' AND published = 1 ORDER BY created_at DESC, id DESC LIMIT 1");
  const destinationsOf = db.query<Destination, { linkId: number }>(
    "SELECT key, url, service, label FROM destinations WHERE link_id = $linkId ORDER BY position");
  const insert = db.query<{ id: number }, LinkFields>(
    `INSERT INTO links (slug, type, title, artist, bio, artwork_url, published, featured_slug, pixel_id,
       extra_pixel_id, access_token, click_event_name, created_at, updated_at)
     VALUES ($slug, $type, $title, $artist, $bio, $artworkUrl, $published, $featuredSlug, $pixelId,
       $extraPixelId, $accessToken, $clickEventName, $now, $now)
     RETURNING id`);
  const update = db.query<null, LinkFields & { id: number }>(
    `UPDATE links SET slug = $slug, type = $type, title = $title, artist = $artist, bio = $bio,
       artwork_url = $artworkUrl, published = $published, featured_slug = $featuredSlug, pixel_id = $pixelId,
       extra_pixel_id = $extraPixelId, access_token = $accessToken, click_event_name = $clickEventName,
       updated_at = $now
     WHERE id = $id`);
  const remove = db.query<null, { id: number }>("DELETE FROM links WHERE id = $id");
  const clearDestinations = db.query<null, { linkId: number }>("DELETE FROM destinations WHERE link_id = $linkId");
  const insertDestination = db.query<null, { linkId: number; position: number; key: string; service: string | null; label: string | null; url: string }>(
    `INSERT INTO destinations (link_id, position, key, service, label, url)
     VALUES ($linkId, $position, $key, $service, $label, $url)`);

  const toursOf = db.query<TourDate, { linkId: number }>(
    "SELECT date, city, venue, ticket_url AS ticketUrl FROM tour_dates WHERE link_id = $linkId ORDER BY date, id");

  const hydrate = (row: LinkRow | null): Link | null =>
    row && {
      ...row, published: row.published === 1, destinations: destinationsOf.all({ linkId: row.id }),
      ...releases.of(row.id),
      ...(row.type === "bio" ? { tourDates: toursOf.all({ linkId: row.id }) } : {}),
    };

  const write = (link: Omit<Link, "id" | "createdAt" | "updatedAt">, now: number): LinkFields => ({
    slug: link.slug, type: link.type, title: link.title, artist: link.artist, bio: link.bio,
    artworkUrl: link.artworkUrl, published: link.published ? 1 : 0, featuredSlug: link.featuredSlug,
    pixelId: link.pixelId, extraPixelId: link.extraPixelId, accessToken: link.accessToken,
    clickEventName: link.clickEventName, now,
  });

  const saveDestinations = (linkId: number, destinations: Destination[]) => {
    clearDestinations.run({ linkId });
    destinations.forEach((d, position) =>
      insertDestination.run({ linkId, position, key: d.key, service: d.service, label: d.label, url: d.url }));
  };

  return {
    bySlug: (slug: string) => hydrate(bySlug.get({ slug })),
    list: () => all.all().map((r) => hydrate(r)!),
    newestReleaseSlug: () => newestRelease.get()?.slug ?? null,
    create: db.transaction((link: Omit<Link, "id" | "createdAt" | "updatedAt">, now: number) => {
      const { id } = insert.get(write(link, now))!;
      saveDestinations(id, link.destinations);
      releases.save(id, link);
      return id;
    }),
    update: db.transaction((link: Link, now: number) => {
      update.run({ ...write(link, now), id: link.id });
      saveDestinations(link.id, link.destinations);
      releases.save(link.id, link);
    }),
    remove: (id: number) => remove.run({ id }).changes > 0,
  };
}
export type LinkRepo = ReturnType<typeof linkRepo>;
