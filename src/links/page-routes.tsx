import { Elysia } from "elysia";
import type { Server } from "bun";
import { clientIp } from "../plugins/client";
import type { TrafficRecorder } from "../clickout/service";
import type { LinkService, ResolvedLink } from "./service";
import { baseUrl, carryQuery, referrerHost, utmFrom } from "./landing";
import { bioHubProps, smartLinkProps } from "./page-props";
import { compileTemplate, fillTemplate, type Template } from "./page-template";
import { SmartLinkPage } from "../../views/pages/smart-link";
import { BioHubPage } from "../../views/pages/bio-hub";
import { NotFoundPage } from "../../views/pages/not-found";
import type { Config } from "../config";
import { SECURITY_HEADERS, pageCsp } from "../plugins/security";
import { mapError } from "../plugins/errors";

const PAGE_HEADERS = {
  ...SECURITY_HEADERS,
  "content-type": "text/html; charset=utf-8",
  // Every view has its own event id, so a page must never come from a cache.
  "cache-control": "private, no-store",
  "content-security-policy": pageCsp(null),
};

/** Where the per-view query string goes in a cached page. */
const CARRY = "__OUTRO_CARRY__";

export interface PageDeps {
  config: Config;
  links: LinkService;
  recorder: TrafficRecorder;
}

/** Renders each link's page once per change and base URL; views only fill in the per-visit parts. */
function pageCache(links: LinkService) {
  const templates = new Map<string, Template>();
  let seen = -1;
  return (link: ResolvedLink, base: string): Template => {
    if (seen !== links.version()) {
      templates.clear();
      seen = links.version();
    }
    const key = `${link.slug} ${base}`;
    let t = templates.get(key);
    if (!t) {
      const html = link.type === "bio"
        ? <BioHubPage {...bioHubProps(link, links.featuredFor(link), base, CARRY)} />
        : <SmartLinkPage {...smartLinkProps(link, base, CARRY)} />;
      t = compileTemplate(html as string, [CARRY]);
      if (templates.size >= 1000) templates.clear();
      templates.set(key, t);
    }
    return t;
  };
}

/** The public pages: a release smart link or a bio hub at /{slug}. */
export const pageRoutes = ({ config, links, recorder }: PageDeps) => {
  const template = pageCache(links);
  return new Elysia({ name: "pages" }).onError(mapError).get("/:slug", async ({ params, query, request, server, set }) => {
    Object.assign(set.headers, PAGE_HEADERS);
    const link = links.resolvePublished(params.slug);
    if (!link) {
      set.status = 404;
      return <NotFoundPage />;
    }
    const client = { ip: clientIp(request, server as Server<unknown> | null, config.trustProxy), userAgent: request.headers.get("user-agent") ?? "" };
    const base = baseUrl(request, config.publicUrl, config.trustProxy);
    const ref = referrerHost(request.headers.get("referer"), new URL(base).host);
    const url = new URL(request.url);
    await recorder.recordView(link, request, query, client, `${base}${url.pathname}${url.search}`, ref);
    return fillTemplate(template(link, base), { [CARRY]: Bun.escapeHTML(carryQuery(utmFrom(query), ref)) });
  });
};
