import type { ClientInfo } from "../plugins/client";
import { notFound } from "../errors";
import type { Destination } from "../links/model";
import type { LinkService, ResolvedLink } from "../links/service";
import { utmFrom, type Utm } from "../links/landing";
import { FEATURED_KEY, tourKeys } from "../links/page-props";
import { acceptEventId, newEventId } from "./event-id";
import type { EventRecord, OutboxEvent, TrafficKind } from "./records";
import { deviceClass, trafficKind } from "./traffic";
import { WriteFailedError, type EventWriter } from "./writer";
import { log, requestId } from "../log";
import { hasConsent, identify, type Identity } from "../tracking/identity";
import type { PixelPlan } from "../tracking/pixel";
import { NO_AUDIENCE, type AudienceOf } from "../stats/audience";

/** What the tracking module needs to know about one view or click to build its server events. */
export interface Visit {
  link: ResolvedLink;
  dest: Destination | null;
  eventId: string;
  ts: number;
  kind: TrafficKind;
  client: ClientInfo;
  request: Request;
  /** The page URL the fan landed on, query included. */
  pageUrl: string;
  /** The link's pixels and rules; null when tracking is off for it. */
  plan: PixelPlan | null;
  /** First-party ids for Meta (null when tracking is off for this link). */
  identity: Identity | null;
  /** The fan agreed to tracking (only asked in opt-in consent mode). */
  consented: boolean;
}

export interface ServerEvents {
  forView(visit: Visit): OutboxEvent[];
  forClick(visit: Visit): OutboxEvent[];
}

/** What tracking the recorder needs: the plan for a link, and the events to store with a visit. */
export interface Tracking {
  plan(link: ResolvedLink): PixelPlan | null;
  events: ServerEvents;
}

export const noTracking: Tracking = { plan: () => null, events: { forView: () => [], forClick: () => [] } };

/** A bio hub's featured release card or a show's ticket link: stored for the hub, never a URL from the request. */
function featuredDestination(hub: ResolvedLink, key: string, base: string, links?: LinkService): Destination | undefined {
  if (hub.type === "bio" && key.startsWith("tickets-")) {
    const show = tourKeys(hub.tourDates ?? []).find((t) => t.key === key);
    return show?.ticketUrl ? { key, url: show.ticketUrl, service: null, label: `Tickets ${show.date} ${show.city}`, countryUrls: null, hiddenIn: null } : undefined;
  }
  if (hub.type !== "bio" || key !== FEATURED_KEY || !links) return undefined;
  const featured = links.featuredFor(hub);
  return featured ? { key, url: `${base}/${featured.slug}`, service: null, label: featured.title, countryUrls: null, hiddenIn: null } : undefined;
}

type Query = Record<string, string | undefined>;

const NOT_TRACKED = { plan: null, identity: null, consented: false } as const;

/** Records page views and click-outs through the group-commit writer. */
export function trafficRecorder(deps: { links: LinkService; writer: EventWriter; tracking: Tracking; clock: () => number; audience?: AudienceOf }) {
  const { links, writer, tracking, clock } = deps;
  const audience = deps.audience ?? (() => NO_AUDIENCE);
  const events = tracking.events;

  /** Tracking context of a visit: nothing identifying is read or made unless Meta may hear of it. */
  const trackingFor = (link: ResolvedLink, request: Request, fbclid: string | undefined, now: number, landing: boolean, secure: boolean) => {
    const plan = tracking.plan(link);
    if (!plan) return { plan, identity: null, consented: false };
    const cookie = request.headers.get("cookie");
    const consented = plan.consentMode === "none" || hasConsent(cookie);
    const identity = consented ? identify(cookie, fbclid, now, { landing, secure }) : null;
    return { plan, identity, consented };
  };

  const record = (t: "click" | "view", visit: Visit, utm: Utm, referrer: string | null, route?: "auto", clientEid = false): Promise<void> => {
    // Analytics dimensions only for fans: bots and prefetches are counted apart, by kind alone.
    const human = visit.kind === "human";
    const who = human ? audience(visit.request, visit.client, visit.ts) : NO_AUDIENCE;
    const rec: EventRecord = {
      t,
      ts: visit.ts,
      linkId: visit.link.id,
      destKey: visit.dest?.key ?? "",
      eventId: visit.eventId,
      kind: visit.kind,
      device: deviceClass(visit.client.userAgent),
      referrer,
      utm,
      route,
      clientEid,
      country: who.country,
      os: who.os,
      app: who.app,
      visitor: who.visitor,
      // Only fans are forwarded to Meta; bots, previews, HEAD and prefetches are only counted.
      events: !human || visit.plan === null || visit.dest?.key === FEATURED_KEY ? [] : t === "click" ? events.forClick(visit) : events.forView(visit),
    };
    return writer.write(rec);
  };

  return {
    /**
     * Records a view of a published link's page. Resolves once committed with the view's event id
     * (the Pixel's PageView uses it), the tracking plan and the cookies to set.
     */
    async recordView(link: ResolvedLink, request: Request, query: Query, client: ClientInfo, pageUrl: string, referrer: string | null) {
      const ts = clock();
      const kind = trafficKind(request.method, request.headers, client.userAgent);
      const t = kind === "human" ? trackingFor(link, request, query.fbclid, ts, true, pageUrl.startsWith("https:")) : { plan: tracking.plan(link), identity: null, consented: false };
      const visit: Visit = { link, dest: null, eventId: newEventId(ts), ts, client, request, pageUrl, kind, plan: t.plan, identity: t.identity, consented: t.consented };
      try {
        await record("view", visit, utmFrom(query), referrer);
      } catch (err) {
        if (!(err instanceof WriteFailedError)) throw err;
        // A full disk must not take the pages down: serve this one untracked (no Pixel event
        // without its stored server twin) and say why in the log.
        log.error({ reqId: requestId(request), slug: link.slug, err }, "page view not recorded");
        return { eventId: visit.eventId, plan: null, cookies: [] as string[] };
      }
      return { eventId: visit.eventId, plan: t.plan, cookies: t.identity?.cookies ?? [] };
    },

    /** Records that the browser's Pixel fired an event (the page's beacon), for the dedup proof. */
    async recordAck(slug: string, eventId: string | null): Promise<boolean> {
      const link = links.resolvePublished(slug);
      if (!link || !eventId) return false;
      const ts = clock();
      await writer.write({ t: "ack", ts, linkId: link.id, destKey: "", eventId, kind: "human", device: "", referrer: null, utm: [null, null, null, null, null], ...NO_AUDIENCE, events: [] });
      return true;
    },

    /** Records a click-out and answers the stored destination, only after the click is committed. */
    async recordClick(slug: string, key: string, request: Request, query: Query, client: ClientInfo, baseOf: () => string): Promise<{ dest: Destination; kind: TrafficKind }> {
      const link = links.resolvePublished(slug);
      const dest = link && (link.byKey.get(key) ?? featuredDestination(link, key, baseOf(), links));
      if (!link || !dest) throw notFound("No such link or destination");
      const ts = clock();
      const eid = acceptEventId(query.eid);
      const kind = trafficKind(request.method, request.headers, client.userAgent);
      const t = kind === "human" ? trackingFor(link, request, undefined, ts, false, false) : NOT_TRACKED;
      // The page the fan was on: its own Referer when it is one of our pages, else the link's URL.
      // Only a tracked click needs it, and the base URL costs a URL parse.
      let pageUrl = "";
      if (t.plan) {
        const base = baseOf();
        const referer = request.headers.get("referer");
        pageUrl = referer && referer.startsWith(`${base}/${slug}`) ? referer : `${base}/${slug}`;
      }
      const visit: Visit = {
        link, dest, ts, client, request, kind, pageUrl,
        eventId: eid ?? newEventId(ts),
        plan: t.plan, identity: t.identity, consented: t.consented,
      };
      const ref = typeof query.ref === "string" && query.ref !== "" ? query.ref.slice(0, 200) : null;
      await record("click", visit, utmFrom(query), ref, query.auto === "1" ? "auto" : undefined, eid !== null);
      return { dest, kind };
    },
  };
}
export type TrafficRecorder = ReturnType<typeof trafficRecorder>;
