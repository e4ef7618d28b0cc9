import type { Database } from "bun:sqlite";

/** Where a pixel's CAPI token lives when it is not the instance default: on a link that uses that pixel. */
export function pixelTokenRepo(db: Database) {
  // A link's own pixel wins over one where the pixel is the extra (label's) pixel; then the latest edit.
  const fromLinks = db.query<{ token: string }, { pixelId: string }>(
    `SELECT access_token AS token FROM links
     WHERE (pixel_id = $pixelId OR extra_pixel_id = $pixelId) AND access_token IS NOT NULL AND access_token <> ''
     ORDER BY pixel_id = $pixelId DESC, updated_at DESC LIMIT 1`);
  return {
    linkToken: (pixelId: string): string | null => fromLinks.get({ pixelId })?.token ?? null,
  };
}
export type PixelTokenRepo = ReturnType<typeof pixelTokenRepo>;
