import type { PixelTokenRepo } from "./tokens-repo";

// The sender thread and worker import the repo from here, beside the function that uses it.
export { pixelTokenRepo, type PixelTokenRepo } from "./tokens-repo";

/** The token for a pixel: the instance token for the instance pixel, else a token stored on a link that uses it. */
export function pixelTokenFor(settings: () => { pixelId: string | null; accessToken: string | null }, links: PixelTokenRepo) {
  return (pixelId: string): string | null => {
    const s = settings();
    return (s.pixelId === pixelId && s.accessToken) || links.linkToken(pixelId);
  };
}
