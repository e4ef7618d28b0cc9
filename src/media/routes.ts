import { Elysia } from "elysia";
import { mediaStore } from "./store";

const IMMUTABLE = "public, max-age=31536000, immutable";

/** GET /media/<sha256>.<ext>: uploaded artwork and avatars. The name is the content hash, so it never changes. */
export const mediaRoutes = ({ dataDir }: { dataDir: string }) => {
  const store = mediaStore(dataDir);
  return new Elysia({ name: "media", seed: dataDir }).get("/media/:file", async ({ params }) => {
    const found = store.locate(params.file);
    const file = found && Bun.file(found.path);
    if (!found || !file || !(await file.exists())) {
      return new Response("Not found", { status: 404, headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" } });
    }
    return new Response(file, {
      headers: {
        "content-type": found.type,
        "cache-control": IMMUTABLE,
        "x-content-type-options": "nosniff",
        "content-security-policy": "default-src 'none'; sandbox",
      },
    });
  });
};
