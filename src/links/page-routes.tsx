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
import { TrackingScripts } from "../../views/components/tracking-scripts";
import type { Config } from "../config";
import { securityHeadersFor, pageCsp } from "../plugins/security";
import { mapError } from "../plugins/errors";
import { PAGE_JS_URL } from "../assets/routes";
import type { PixelPlan } from "../tracking/pixel";
import { contentName } from "../tracking/server-events";
import { latency, timed } from "../ops/latency";

const UNTRACKED_CSP = pageCsp(null);

/** Where the per-view parts go in a cached page; letters and underscores survive escaping. */
const CARRY = "__OUTRO_CARRY__";
const NONCE = "__OUTRO_NONCE__";
const VIEW = "__OUTRO_VIEW_EID__";

export interface PageDeps {
  config: Config;
  links: LinkService;
  recorder: TrafficRecorder;
}

/** Renders each link's page once per change, base URL and tracking plan; a view only fills in its own parts. */
function pageCache(links: LinkService) {
  const templates = new Map<string, Template>();
  let seen = -1;
  return (link: ResolvedLink, base: string, plan: PixelPlan | null): Template => {
    if (seen !== links.version()) {
      templates.clear();
      seen = links.version();
    }
    const key = `${link.slug} ${base} ${plan ? JSON.stringify(plan) : ""}`;
    let t = templates.get(key);
    if (!t) {
      const safeScripts = plan ? (
        <TrackingScripts
          nonce={NONCE}
          scriptUrl={PAGE_JS_URL}
          config={{
            slug: link.slug, pixels: plan.pixelIds, event: plan.clickEventName, standard: plan.standard,
            name: contentName(link), consent: plan.consentMode, ldu: plan.limitedDataUse, view: VIEW,
          }}
        />
      ) : undefined;
      const html = link.type === "bio"
        ? <BioHubPage {...bioHubProps(link, links.featuredFor(link), base, CARRY)} safeScripts={safeScripts} />
        : <SmartLinkPage {...smartLinkProps(link, base, CARRY)} safeScripts={safeScripts} />;
      t = compileTemplate(html as string, [CARRY, NONCE, VIEW]);
      if (templates.size >= 1000) templates.clear();
      templates.set(key, t);
    }
    return t;
  };
}

/** The public pages: a release smart link or a bio hub at /{slug}. */
export const pageRoutes = ({ config, links, recorder }: PageDeps) => {
  const template = pageCache(links);
  const pageHeaders = {
    ...securityHeadersFor(config),
    "content-type": "text/html; charset=utf-8",
    // Every view has its own event id, so a page must never come from a cache.
    "cache-control": "private, no-store",
  };
  return new Elysia({ name: "pages" }).onError(mapError).get("/:slug", async ({ params, query, request, server, set }) => {
    const started = performance.now();
    Object.assign(set.headers, pageHeaders);
    const link = links.resolvePublished(params.slug);
    if (!link) {
      set.status = 404;
      set.headers["content-security-policy"] = UNTRACKED_CSP;
      return <NotFoundPage />;
    }
    const client = { ip: clientIp(request, server as Server<unknown> | null, config.trustProxy), userAgent: request.headers.get("user-agent") ?? "" };
    const base = baseUrl(request, config.publicUrl, config.trustProxy);
    const ref = referrerHost(request.headers.get("referer"), new URL(base).host);
    const url = new URL(request.url);
    const view = await recorder.recordView(link, request, query, client, `${base}${url.pathname}${url.search}`, ref);
    const carry = Bun.escapeHTML(carryQuery(utmFrom(query), ref));
    if (!view.plan) {
      set.headers["content-security-policy"] = UNTRACKED_CSP;
      return timed(latency.page, started, fillTemplate(template(link, base, null), { [CARRY]: carry }));
    }
    const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64url");
    set.headers["content-security-policy"] = pageCsp(nonce);
    if (view.cookies.length) set.headers["set-cookie"] = view.cookies as unknown as string;
    return timed(latency.page, started, fillTemplate(template(link, base, view.plan), { [CARRY]: carry, [NONCE]: nonce, [VIEW]: view.eventId }));
  });
};
