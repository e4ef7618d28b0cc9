import type { ClientInfo } from "../plugins/client";
import { notFound } from "../errors";
import type { Destination } from "../links/model";
import type { LinkService, ResolvedLink } from "../links/service";
import { utmFrom, type Utm } from "../links/landing";
import { FEATURED_KEY } from "../links/page-props";
import { acceptEventId, newEventId } from "./event-id";
import type { EventRecord, OutboxEvent, TrafficKind } from "./records";
import { deviceClass, trafficKind } from "./traffic";
import type { EventWriter } from "./writer";

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
}

export interface ServerEvents {
  forView(visit: Visit): OutboxEvent[];
  forClick(visit: Visit): OutboxEvent[];
}

export const noServerEvents: ServerEvents = { forView: () => [], forClick: () => [] };

/** A bio hub's featured release card: a stored link of this instance, never a URL from the request. */
function featuredDestination(hub: ResolvedLink, key: string, base: string, links?: LinkService): Destination | undefined {
  if (hub.type !== "bio" || key !== FEATURED_KEY || !links) return undefined;
  const featured = links.featuredFor(hub);
  return featured ? { key, url: `${base}/${featured.slug}`, service: null, label: featured.title } : undefined;
}

type Query = Record<string, string | undefined>;

/** Records page views and click-outs through the group-commit writer. */
export function trafficRecorder(deps: { links: LinkService; writer: EventWriter; events: ServerEvents; clock: () => number }) {
  const { links, writer, events, clock } = deps;

  const record = (t: "click" | "view", visit: Visit, utm: Utm, referrer: string | null): Promise<void> => {
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
      // Only fans are forwarded to Meta; bots, previews, HEAD and prefetches are only counted.
      events: visit.kind !== "human" || visit.dest?.key === FEATURED_KEY ? [] : t === "click" ? events.forClick(visit) : events.forView(visit),
    };
    return writer.write(rec);
  };

  return {
    /** Records a view of a published link's page; resolves with the view's event id once committed. */
    async recordView(link: ResolvedLink, request: Request, query: Query, client: ClientInfo, pageUrl: string, referrer: string | null) {
      const ts = clock();
      const visit: Visit = {
        link, dest: null, eventId: newEventId(ts), ts, client, request, pageUrl,
        kind: trafficKind(request.method, request.headers, client.userAgent),
      };
      await record("view", visit, utmFrom(query), referrer);
      return visit.eventId;
    },

    /** Records a click-out and answers the stored destination, only after the click is committed. */
    async recordClick(slug: string, key: string, request: Request, query: Query, client: ClientInfo, base: string): Promise<Destination> {
      const link = links.resolvePublished(slug);
      const dest = link && (link.byKey.get(key) ?? featuredDestination(link, key, base, links));
      if (!link || !dest) throw notFound("No such link or destination");
      const ts = clock();
      const referer = request.headers.get("referer");
      const visit: Visit = {
        link, dest, ts, client, request,
        eventId: acceptEventId(query.eid) ?? newEventId(ts),
        kind: trafficKind(request.method, request.headers, client.userAgent),
        // The page the fan was on: its own Referer when it is one of our pages, else the link's URL.
        pageUrl: referer && referer.startsWith(`${base}/${slug}`) ? referer : `${base}/${slug}`,
      };
      const ref = typeof query.ref === "string" && query.ref !== "" ? query.ref.slice(0, 200) : null;
      await record("click", visit, utmFrom(query), ref);
      return dest;
    },
  };
}
export type TrafficRecorder = ReturnType<typeof trafficRecorder>;
