import { Elysia } from "elysia";
import { z } from "zod";
import { AppError } from "../errors";
import { apiAuth } from "../api/auth";
import { API_BODY_LIMIT } from "../api/routes";
import type { TokenRepo } from "../api/tokens";
import { DestinationInput, SlugParams, publicLink } from "../links/model";
import type { LinkService } from "../links/service";
import { SECURITY_HEADERS, securityHeadersPlugin } from "../plugins/security";
import { applyAutofill, refillLinkReport } from "./apply";
import { parseAutofillQuery } from "./query";
import type { AutofillService } from "./service";

export interface AutofillRoutesDeps {
  envToken: string | undefined;
  tokens: TokenRepo;
  links: LinkService;
  autofill: AutofillService;
  clock: () => number;
  securityHeaders?: Record<string, string>;
}

const AutofillBody = z.object({
  query: z.string().max(4096).describe("A link on a streaming service (Spotify, Apple Music, Deezer, YouTube Music, TIDAL …), a UPC/EAN (12–14 digits) or an ISRC"),
});

const ApplyBody = z.object({
  destinations: z.array(DestinationInput.pick({ url: true, service: true })).max(50, "at most 50 destinations").default([]),
  title: z.string().max(200).optional(),
  artist: z.string().max(200).optional(),
  artworkUrl: z.string().max(2048).optional(),
  query: z.string().max(4096).optional().describe("The query these came from (remembered for the release-day re-run)"),
});

/** POST /api/autofill (look up), /api/links/{slug}/autofill (apply accepted matches) and /api/links/{slug}/refill (re-run). */
export const autofillRoutes = ({ envToken, tokens, links, autofill, clock, securityHeaders = SECURITY_HEADERS }: AutofillRoutesDeps) =>
  new Elysia({ name: "autofill-api", prefix: "/api" })
    .onParse(({ request }) => {
      const length = Number(request.headers.get("content-length") ?? 0);
      if (length > API_BODY_LIMIT) throw new AppError(413, "too_large", `The body is over ${API_BODY_LIMIT / 1024} KB.`);
    })
    .use(securityHeadersPlugin(securityHeaders))
    .use(apiAuth(envToken, tokens, clock))
    .guard({ apiAuth: true, detail: { security: [{ bearer: [] }] } }, (app) =>
      app
        .post("/autofill", async ({ body, set }) => {
          set.headers["cache-control"] = "no-store";
          return autofill.find(body.query);
        }, {
          body: AutofillBody,
          parse: "json",
          detail: {
            summary: "Find a release on every service from one link, UPC or ISRC",
            description:
              "Asks the iTunes Search API, Deezer, MusicBrainz and Odesli at once and answers within the configured deadline. " +
              "`title`, `artist` and `artworkUrl` each carry their sources, a confidence (0–1 and high/medium/low) and the other values catalogues gave. " +
              "`destinations` lists candidates per service with their sources and confidence; `conflict: true` marks a service for which catalogues disagree. " +
              "`catalogues` says which catalogue answered, found nothing, failed, timed out or was rate limited; `partial` is true when one did not answer. " +
              "Nothing is stored: apply the accepted candidates with POST /api/links/{slug}/autofill (or PATCH the link's destinations yourself).",
            tags: ["autofill"],
          },
        })
        .post("/links/:slug/autofill", ({ params, body }) => {
          const query = body.query ? parseAutofillQuery(body.query) : null;
          const applied = applyAutofill(links, params.slug, body);
          if (query) autofill.remember(applied.link.id, query);
          return { link: publicLink(applied.link), added: applied.added, skipped: applied.skipped, filled: applied.filled };
        }, {
          params: SlugParams,
          body: ApplyBody,
          parse: "json",
          detail: {
            summary: "Add accepted auto-fill matches to a link (manual entries are never overwritten)",
            description:
              "Adds each destination whose service the link does not have yet; destinations already on the link are kept exactly as they are " +
              "and reported in `skipped`. `title`, `artist` and `artworkUrl` are used only where the link's own is empty. " +
              "With `query`, the UPC, ISRC or link is remembered for the release-day re-run.",
            tags: ["autofill"],
          },
        })
        .post("/links/:slug/refill", async ({ params }) => {
          const { added, result } = await refillLinkReport(links, autofill, params.slug);
          return { link: publicLink(links.get(params.slug)), added, catalogues: result?.catalogues ?? [], partial: result?.partial ?? false };
        }, {
          params: SlugParams,
          detail: {
            summary: "Re-run auto-fill for a link and add only services it lacks",
            description:
              "Uses the remembered query (else the link's first streaming destination), fresh from the catalogues, and adds high-confidence, " +
              "unconflicted destinations for services the link does not have. Never changes or removes a destination.",
            tags: ["autofill"],
          },
        }),
    );
