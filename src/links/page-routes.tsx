import { Elysia } from "elysia";
import { clientInfo } from "../plugins/client";
import type { TrafficRecorder } from "../clickout/service";
import type { LinkService } from "./service";
import { baseUrl, carryQuery, referrerHost, utmFrom } from "./landing";
import { bioHubProps, smartLinkProps } from "./page-props";
import { SmartLinkPage } from "../../views/pages/smart-link";
import { BioHubPage } from "../../views/pages/bio-hub";
import { NotFoundPage } from "../../views/pages/not-found";
import type { Config } from "../config";

export interface PageDeps {
  config: Config;
  links: LinkService;
  recorder: TrafficRecorder;
}

/** The public pages: a release smart link or a bio hub at /{slug}. */
export const pageRoutes = ({ config, links, recorder }: PageDeps) =>
  new Elysia({ name: "pages" })
    .use(clientInfo(config.trustProxy))
    .get(
      "/:slug",
      async ({ params, query, request, client, set }) => {
        set.headers["content-type"] = "text/html; charset=utf-8";
        // Every view has its own event id, so a page must never come from a cache.
        set.headers["cache-control"] = "private, no-store";
        const link = links.resolvePublished(params.slug);
        if (!link) {
          set.status = 404;
          return <NotFoundPage />;
        }
        const base = baseUrl(request, config.publicUrl, config.trustProxy);
        const ref = referrerHost(request.headers.get("referer"), new URL(base).host);
        const pageUrl = `${base}${new URL(request.url).pathname}${new URL(request.url).search}`;
        await recorder.recordView(link, request, query, client, pageUrl, ref);
        const carry = carryQuery(utmFrom(query), ref);
        return link.type === "bio" ? (
          <BioHubPage {...bioHubProps(link, links.featuredFor(link), base, carry)} />
        ) : (
          <SmartLinkPage {...smartLinkProps(link, base, carry)} />
        );
      },
      { client: true },
    );
