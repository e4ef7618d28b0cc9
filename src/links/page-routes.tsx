import { Elysia } from "elysia";
import type { Server } from "bun";
import { clientIp } from "../plugins/client";
import type { TrafficRecorder } from "../clickout/service";
import type { LinkService, ResolvedLink } from "./service";
import { baseUrl, carryQuery, referrerHost, utmFrom } from "./landing";
import { bioHubProps, smartLinkProps, visibleDestinations } from "./page-props";
import { compileTemplate, fillRepeated, fillTemplate, type Template } from "./page-template";
import { SmartLinkPage } from "../../views/pages/smart-link";
import { BioHubPage } from "../../views/pages/bio-hub";
import { NotFoundPage } from "../../views/pages/not-found";
import { TrackingScripts } from "../../views/components/tracking-scripts";
import type { Config } from "../config";
import { securityHeadersFor, pageCsp } from "../plugins/security";
import { mapError } from "../plugins/errors";
import { PAGE_JS_URL } from "../assets/routes";
import { isStandardEvent, type PixelPlan } from "../tracking/pixel";
import { contentName } from "../tracking/server-events";
import { latency, timed } from "../ops/latency";
import type { FanService } from "../fans/service";
import { SignupForm as SignupFields } from "../fans/model";
import type { SettingsService } from "../settings/service";
import { SignupForm } from "../../views/components/signup-form";
import { trafficKind } from "../clickout/traffic";
import { agentInfo } from "../stats/agent";
import { countryOf, proxyCountry } from "../stats/geo";
import { destinationsFor, hasCountryRules, variantKey, type Viewer } from "../routing/personalise";
import { rememberedService } from "../routing/remembered";
import { inAppBrowser } from "../routing/handoff";
import { AutoRoute, OpenInBrowserHint } from "../../views/components/fan-routing";
import { catalogEntry } from "../catalog";
import { PreReleasePage } from "../../views/pages/pre-release";
import { preReleaseProps } from "../release/page-props";
import { isUpcoming } from "../release/schedule";
import { timeLeftText } from "../release/moment";
import type { ReleaseDay } from "../release/service";
import type { RouteCtx } from "../plugins/native-routes";

const UNTRACKED_CSP = pageCsp(null);

/** Where the per-view parts go in a cached page; letters and underscores survive escaping. */
const CARRY = "__OUTRO_CARRY__";
const NONCE = "__OUTRO_NONCE__";
const VIEW = "__OUTRO_VIEW_EID__";
const FORM_T = "__OUTRO_FORM_T__";
const SIGNUP_MSG = "__OUTRO_SIGNUP_MSG__";
const SIGNUP_EMAIL = "__OUTRO_SIGNUP_EMAIL__";
const SIGNUP_NAME = "__OUTRO_SIGNUP_NAME__";
const NOTICE = "__OUTRO_NOTICE__";
const TIME_LEFT = "__OUTRO_TIME_LEFT__";
const TOKENS = [CARRY, NONCE, VIEW, FORM_T, SIGNUP_MSG, SIGNUP_EMAIL, SIGNUP_NAME, NOTICE, TIME_LEFT];

/** In-app browsers' display names, for the "open in browser" hint. */
const APP_NAMES: Record<string, string> = { tiktok: "TikTok", wechat: "WeChat" };

export interface PageDeps {
  config: Config;
  links: LinkService;
  recorder: TrafficRecorder;
  fans: FanService;
  settings: SettingsService;
  /** A fan signed up: send its Meta events and webhook now. */
  onSignup?: () => void;
  clock?: () => number;
  /** Records a countdown-page signup as asking for the release-day note. */
  releaseDay?: Pick<ReleaseDay, "askForNote">;
  /** Destination URLs the pages leave out (the dead-link monitor's broken ones, when hidden); its changes call links.touch(). */
  hiddenUrls?: () => ReadonlySet<string>;
}

/** What the signup form shows on this view: a message, and what the fan typed when it must be fixed. */
interface SignupState {
  message: string;
  email: string;
  name: string;
}

/** Renders each link's page once per change, base URL and tracking plan; a view only fills in its own parts. */
function pageCache(links: LinkService, fans: FanService, settings: SettingsService, clock: () => number, hiddenUrls: () => ReadonlySet<string>) {
  const templates = new Map<string, Template>();
  // The signup switch per link, read once per change: a SQLite read per view cost a third of the page's time.
  const signups = new Map<number, boolean>();
  let seen = -1;
  /** `shown` is the link as this viewer sees it (country and device rules applied); `variant` names that view. */
  return (link: ResolvedLink, base: string, plan: PixelPlan | null, shown: ResolvedLink = link, variant = ""): Template => {
    if (seen !== links.version()) {
      templates.clear();
      signups.clear();
      seen = links.version();
    }
    let signupOn = signups.get(link.id);
    if (signupOn === undefined) signups.set(link.id, (signupOn = fans.signupEnabled(link.id)));
    // Part of the key, so the page turns into the smart link at the release instant on its own.
    const upcoming = isUpcoming(link, clock());
    const consentText = signupOn || upcoming ? settings.get().signupConsentText : null;
    const key = `${link.slug} ${base} ${plan ? planKey(plan) : ""} ${consentText ?? ""} ${variant} ${upcoming ? "upcoming" : ""}`;
    let t = templates.get(key);
    if (!t) {
      const safeScripts = plan ? (
        <TrackingScripts
          nonce={NONCE}
          scriptUrl={PAGE_JS_URL}
          config={{
            slug: link.slug, pixels: plan.pixelIds, event: plan.clickEventName, standard: plan.standard,
            signupEvent: plan.signupEventName, signupStandard: isStandardEvent(plan.signupEventName),
            name: contentName(link), consent: plan.consentMode, ldu: plan.limitedDataUse, view: VIEW,
          }}
        />
      ) : undefined;
      const safeSignup = consentText !== null ? (
        <SignupForm action={`/${link.slug}/subscribe`} consentText={consentText}
          safeToken={FORM_T} safeMessage={SIGNUP_MSG} safeEmail={SIGNUP_EMAIL} safeName={SIGNUP_NAME}
          {...(upcoming ? { heading: "Get a note on release day", buttonText: "Notify me" } : {})} />
      ) : undefined;
      const visibility = { hiddenUrls: hiddenUrls() };
      const html = upcoming
        ? <PreReleasePage {...preReleaseProps(link, base, CARRY, TIME_LEFT, visibility)} safeScripts={safeScripts} safeSignup={safeSignup} />
        : link.type === "bio"
        ? <BioHubPage {...bioHubProps(shown, links.featuredFor(link), base, CARRY, Date.now(), visibility)} safeScripts={safeScripts} safeSignup={safeSignup} safeNotice={NOTICE} />
        : <SmartLinkPage {...smartLinkProps(shown, base, CARRY, visibility)} safeScripts={safeScripts} safeSignup={safeSignup} safeNotice={NOTICE} />;
      t = compileTemplate(html as string, TOKENS);
      if (templates.size >= 1000) templates.clear();
      templates.set(key, t);
    }
    return t;
  };
}

type Ctx = { request: Request; query: Record<string, string | undefined>; server: unknown };
type ElysiaSet = { status?: number | string; headers: Record<string, string | number> };

const NOTHING_HIDDEN = () => new Set<string>();

/** The public pages: a release smart link or a bio hub at /{slug} (`view`, also on Bun's router), and its fan signup. */
export const pageRoutes = ({ config, links, recorder, fans, settings, onSignup, clock = Date.now, releaseDay, hiddenUrls = NOTHING_HIDDEN }: PageDeps) => {
  const template = pageCache(links, fans, settings, clock, hiddenUrls);
  const pageHeaders = {
    ...securityHeadersFor(config),
    "content-type": "text/html; charset=utf-8",
    // Every view has its own event id, so a page must never come from a cache.
    "cache-control": "private, no-store",
  };
  // Copied into each untracked page's Response: a shared Headers is about three times cheaper than an object.
  const untrackedHeaders = new Headers({ ...pageHeaders, "content-security-policy": UNTRACKED_CSP });
  const trackedHeaders = new Headers(pageHeaders);

  /** A returning fan is never auto-routed to a destination the page hides (e.g. a broken one). */
  const routable = (shown: ResolvedLink): ResolvedLink => {
    const hidden = hiddenUrls();
    return hidden.size ? { ...shown, destinations: visibleDestinations(shown.destinations, { hiddenUrls: hidden }) } : shown;
  };

  /** Records the view and fills the link's cached page with this view's parts. */
  const render = async (link: ResolvedLink, { request, query, server }: Ctx, signup: SignupState | null, status = 200): Promise<Response> => {
    const client = { ip: clientIp(request, server as Server<unknown> | null, config.trustProxy), userAgent: request.headers.get("user-agent") ?? "" };
    const base = baseUrl(request, config.publicUrl, config.trustProxy);
    const ref = referrerHost(request.headers.get("referer"), hostOf(base));
    const view = await recorder.recordView(link, request, query, client, `${base}${pathAndQuery(request.url)}`, ref);
    const carry = carryQuery(utmFrom(query), ref);
    // Country and platform are read only for links whose rules depend on them.
    const viewer: Viewer = {
      country: hasCountryRules(link) ? (config.trustProxy && proxyCountry(request.headers)) || countryOf(client.ip) : null,
      os: link.deviceOrder ? agentInfo(client.userAgent).os : null,
    };
    const variant = variantKey(link, viewer);
    const shown: ResolvedLink = variant ? { ...link, destinations: destinationsFor(link, viewer) } : link;
    const values: Record<string, string> = {
      [NOTICE]: notice(link, routable(shown), request, query, client.userAgent, carry, view.plan !== null),
      [CARRY]: Bun.escapeHTML(carry),
      [NONCE]: "",
      [VIEW]: view.eventId,
      [FORM_T]: "",
      [SIGNUP_MSG]: Bun.escapeHTML(signup?.message ?? (query.signup === "ok" ? "Thanks — you're on the list." : "")),
      [SIGNUP_EMAIL]: Bun.escapeHTML(signup?.email ?? ""),
      [SIGNUP_NAME]: Bun.escapeHTML(signup?.name ?? ""),
      [TIME_LEFT]: link.releaseAt !== null ? Bun.escapeHTML(timeLeftText(link.releaseAt - clock())) : "",
    };
    const page = template(link, base, view.plan, shown, variant);
    // The signed form timestamp (an HMAC) only where the page has a signup form.
    if (page.slots.includes(FORM_T)) values[FORM_T] = fans.formToken();
    if (!view.plan) return new Response(fillRepeated(page, values), { status, headers: untrackedHeaders });
    values[NONCE] = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64url");
    // The shared headers copied, then this view's own: ~0.9 µs against ~1.5 µs from an object.
    const res = new Response(fillTemplate(page, values), { status, headers: trackedHeaders });
    res.headers.set("content-security-policy", pageCsp(values[NONCE]));
    for (const c of view.cookies) res.headers.append("set-cookie", c);
    return res;
  };

  const notFound = (set: ElysiaSet) => {
    set.status = 404;
    set.headers["content-security-policy"] = UNTRACKED_CSP;
    return <NotFoundPage />;
  };

  /** GET /{slug}: the hot page path. Bun's router calls it directly (nativeRoute, in app.ts), the Elysia route for `app.handle`. */
  const view = async ({ params, query, request, server, set }: RouteCtx<{ slug: string }>) => {
    const started = performance.now();
    const link = links.resolvePublished(params.slug);
    if (!link) {
      Object.assign(set.headers, pageHeaders);
      return notFound(set);
    }
    return timed(latency.page, started, await render(link, { request, query, server }, null));
  };

  const routes = new Elysia({ name: "pages" })
    .onError(mapError)
    // Destructured on purpose: Elysia reads the handler's parameters to decide what to build per request.
    .get("/:slug", ({ params, query, request, server, set }) => view({ params, query, request, server, set }))
    // A fan never gets an error page here: bad input gets the form back with a message.
    .post("/:slug/subscribe", async ({ params, request, body, set, server }) => {
      Object.assign(set.headers, pageHeaders);
      const link = links.resolvePublished(params.slug);
      // A release with a date always has its notify-me form (also just after the moment, from a page opened before).
      const dated = link !== null && link.type === "release" && link.releaseAt !== null;
      if (!link || !(fans.signupEnabled(link.id) || dated)) return notFound(set);
      const form = SignupFields.parse(signupFields(body));
      const ua = request.headers.get("user-agent") ?? "";
      const referer = request.headers.get("referer");
      const base = baseUrl(request, config.publicUrl, config.trustProxy);
      const pageUrl = referer && referer.startsWith(`${base}/${link.slug}`) ? referer : `${base}/${link.slug}`;
      const landing = new URL(pageUrl).searchParams;
      const outcome = fans.subscribe({
        link, form, userAgent: ua, cookieHeader: request.headers.get("cookie"), pageUrl,
        ip: clientIp(request, server as Server<unknown> | null, config.trustProxy),
        utm: utmFrom(Object.fromEntries(landing)),
        referrer: landing.get("ref"),
        human: trafficKind(request.method, request.headers, ua) === "human",
        // Asked only while the moment is not handled yet; after it the fan is simply on the list.
        ...(dated && releaseDay ? { alsoRecord: (fanId: number) => { releaseDay.askForNote(link.id, fanId, base); } } : {}),
      });
      if (outcome.ok) onSignup?.();
      if ((request.headers.get("accept") ?? "").includes("application/json")) {
        set.headers["content-type"] = "application/json; charset=utf-8";
        set.status = outcome.ok ? 200 : 422;
        return JSON.stringify(outcome);
      }
      if (outcome.ok) {
        set.status = 303;
        set.headers.location = `/${link.slug}?signup=ok#signup`;
        return "";
      }
      return render(link, { request, server, query: {} }, { message: outcome.message, email: form.email.slice(0, 254), name: form.name.slice(0, 100) }, 422);
    });
  return { routes, view };
};

/**
 * This view's notice above the buttons: for a returning fan on a release link, the auto-route to
 * the service they picked last time (never for bots, prefetches or HEAD, never with ?choose=1);
 * in a webview that cannot open apps, how to get out of it.
 */
function notice(link: ResolvedLink, shown: ResolvedLink, request: Request, query: Record<string, string | undefined>, ua: string, carry: string, scripted: boolean): string {
  const inApp = inAppBrowser(ua);
  const hint = inApp?.kind === "browser" ? (OpenInBrowserHint({ appName: APP_NAMES[inApp.app] ?? inApp.app }) as string) : "";
  if (link.type !== "release" || !link.autoRoute || query.choose === "1") return hint;
  const service = rememberedService(request.headers.get("cookie"));
  const dest = service && shown.destinations.find((d) => d.service === service);
  if (!dest || trafficKind(request.method, request.headers, ua) !== "human") return hint;
  const href = `/${link.slug}/go/${dest.key}${carry}${carry ? "&" : "?"}auto=1`;
  return hint + (AutoRoute({
    destKey: dest.key, serviceName: catalogEntry(dest.service!)?.name ?? dest.key, delayMs: link.autoRouteDelayMs,
    chooseHref: `/${link.slug}?${chooseQuery(query)}`,
    fallbackHref: href, scripted,
  }) as string);
}

/** The landing query (campaign, fbclid …) kept, plus choose=1. */
function chooseQuery(query: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (typeof v === "string" && k !== "choose") q.set(k, v.slice(0, 500));
  q.set("choose", "1");
  return q.toString();
}

/** A plan's part of the page cache key; plans are made once per link and settings change, so remember it. */
const planKeys = new WeakMap<PixelPlan, string>();
function planKey(plan: PixelPlan): string {
  let key = planKeys.get(plan);
  if (key === undefined) planKeys.set(plan, (key = JSON.stringify(plan)));
  return key;
}

/** "/night-drive?utm_source=ig" of an absolute request URL, without parsing it. */
function pathAndQuery(url: string): string {
  const i = url.indexOf("/", url.indexOf("//") + 2);
  return i === -1 ? "/" : url.slice(i);
}

/** The host of a base URL ("https://music.example" → "music.example"), remembered: there are one or two. */
const hosts = new Map<string, string>();
function hostOf(base: string): string {
  let host = hosts.get(base);
  if (host === undefined) {
    host = new URL(base).host;
    if (hosts.size > 100) hosts.clear();
    hosts.set(base, host);
  }
  return host;
}

const SIGNUP_FIELD_LIMITS: [string, number][] = [["email", 320], ["name", 200], ["consent", 10], ["website", 500], ["t", 200]];

/** Form fields as strings, whatever the body was (urlencoded, multipart, JSON or nothing). */
function signupFields(body: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (body && typeof body === "object") {
    // Cut to the form schema's own limits, so an overlong field is bad input (422), never a 500.
    for (const [k, max] of SIGNUP_FIELD_LIMITS) {
      const v = (body as Record<string, unknown>)[k];
      if (typeof v === "string") out[k] = v.slice(0, max);
    }
  }
  return out;
}
