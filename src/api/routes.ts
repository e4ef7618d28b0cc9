import { Elysia } from "elysia";
import { z } from "zod";
import { AppError } from "../errors";
import { LinkCreate, LinkPatch, SlugParams, publicLink } from "../links/model";
import type { LinkService } from "../links/service";
import type { linkStats } from "../stats/service";
import { apiAuth } from "./auth";
import { SECURITY_HEADERS, securityHeadersPlugin } from "../plugins/security";
import type { TokenRepo } from "./tokens";

export const API_BODY_LIMIT = 64 * 1024;

export interface ApiDeps {
  envToken: string | undefined;
  tokens: TokenRepo;
  links: LinkService;
  stats: ReturnType<typeof linkStats>;
  clock: () => number;
  /** securityHeadersFor(config): adds HSTS when PUBLIC_URL is https. */
  securityHeaders?: Record<string, string>;
}

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD");
/** A range: the last `days` days (7, 28, 90 or any up to 400), or `from`..`to`; `tz` an IANA zone (default: the instance's). */
const StatsQuery = z.object({
  days: z.coerce.number().int().min(1).max(400).optional(),
  from: day.optional(),
  to: day.optional(),
  tz: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .describe("IANA time zone where days start (default: the instance's setting). Whole-hour zones are exact; in half- and quarter-hour zones other than the instance's own, day edges are rounded down to the whole UTC hour."),
});

const tooLarge = () => new AppError(413, "too_large", `The body is over ${API_BODY_LIMIT / 1024} KB.`);

/** A streamed body as text, refused as soon as it passes `limit` bytes. */
async function readBounded(body: ReadableStream<Uint8Array>, limit: number): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** The JSON API: routes translate HTTP to the link service and back. */
export const apiRoutes = ({ envToken, tokens, links, stats, clock, securityHeaders = SECURITY_HEADERS }: ApiDeps) =>
  new Elysia({ name: "api", prefix: "/api" })
    .onParse(async ({ request }) => {
      // Checked before the body is read, so an oversized body costs nothing.
      const length = Number(request.headers.get("content-length") ?? 0);
      if (length > API_BODY_LIMIT) throw tooLarge();
      // A chunked body announces no length: read it up to the limit and parse it here.
      if (!request.headers.has("content-length") && request.body) {
        const text = await readBounded(request.body, API_BODY_LIMIT);
        try {
          return JSON.parse(text);
        } catch {
          throw new AppError(400, "bad_request", "The request body could not be read (malformed JSON or form).");
        }
      }
    })
    .use(securityHeadersPlugin(securityHeaders))
    .use(apiAuth(envToken, tokens, clock))
    .guard({ apiAuth: true, detail: { security: [{ bearer: [] }] } }, (app) =>
      app
        .post("/links", ({ body, set }) => {
          set.status = 201;
          return publicLink(links.create(body));
        }, { body: LinkCreate, parse: "json", detail: { summary: "Create a link", tags: ["links"] } })
        .get("/links", () => ({ links: links.list().map(publicLink) }), { detail: { summary: "List links", tags: ["links"] } })
        .get("/links/:slug", ({ params }) => publicLink(links.get(params.slug)), {
          params: SlugParams, detail: { summary: "One link", tags: ["links"] },
        })
        .patch("/links/:slug", ({ params, body }) => publicLink(links.update(params.slug, body)), {
          // parse: "json" also tells the OpenAPI document the body's media type (the size check above is a function parser).
          params: SlugParams, body: LinkPatch, parse: "json", detail: { summary: "Change a link (destinations are replaced as a whole)", tags: ["links"] },
        })
        .delete("/links/:slug", ({ params, set }) => {
          links.remove(params.slug);
          set.status = 204;
          return null;
        }, { params: SlugParams, detail: { summary: "Delete a link", tags: ["links"] } })
        .get("/links/:slug/stats", ({ params, query }) => stats(links.get(params.slug), query), {
          params: SlugParams, query: StatsQuery,
          detail: { summary: "Views, unique visitors, click-outs and CTR per destination, service, day, UTM, referrer, in-app browser, country, device and OS", tags: ["stats"] },
        })
        .get("/stats", ({ query }) => stats.instance(query), {
          query: StatsQuery, detail: { summary: "The same figures for the whole instance, with a per-link table", tags: ["stats"] },
        })
        .all("/*", () => {
          throw new AppError(404, "not_found", "No such API route.");
        }, { detail: { hide: true } }),
    );
