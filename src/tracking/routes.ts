import { Elysia } from "elysia";
import { z } from "zod";
import { notFound } from "../errors";
import { apiAuth } from "../api/auth";
import type { TokenRepo } from "../api/tokens";
import { SECURITY_HEADERS, securityHeadersPlugin } from "../plugins/security";
import type { DeliveryLog, DeliveryRow } from "./log";

export interface EventRoutesDeps {
  envToken: string | undefined;
  tokens: TokenRepo;
  log: DeliveryLog;
  clock: () => number;
}

const EventsQuery = z.object({
  status: z.enum(["pending", "sent", "failed", "expired"]).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  /** Pages back: only events with an id below this one (the previous page's `nextBefore`). */
  before: z.coerce.number().int().min(1).optional(),
});

const EventIdParams = z.object({ eventId: z.string().min(1).max(128) });

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Meta's answer is JSON; our own notes (timeouts, missing tokens) are plain text. */
function answer(text: string | null): unknown {
  if (text === null || !text.startsWith("{")) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** One row of the delivery log as the API shows it. */
export function publicDelivery(r: DeliveryRow) {
  return {
    id: r.id,
    eventId: r.eventId,
    eventName: r.eventName,
    pixelId: r.pixelId,
    link: r.slug,
    linkId: r.linkId,
    status: r.status,
    attempts: r.attempts,
    /** When the fan acted (Meta's event_time). */
    time: new Date(r.eventTime * 1000).toISOString(),
    createdAt: iso(r.createdAt),
    sentAt: iso(r.sentAt),
    nextAttemptAt: r.status === "pending" ? iso(r.nextAttemptAt) : null,
    lastStatus: r.lastStatus,
    lastResponse: answer(r.lastResponse),
    browserFired: r.browserFired,
  };
}

/** GET /api/events: the Conversions API delivery log, its counters and the per-event dedup proof. */
export const eventRoutes = ({ envToken, tokens, log, clock, headers = SECURITY_HEADERS }: EventRoutesDeps & { headers?: Record<string, string> }) =>
  new Elysia({ name: "events-api", prefix: "/api" })
    .use(securityHeadersPlugin(headers))
    .use(apiAuth(envToken, tokens, clock))
    .guard({ apiAuth: true, detail: { security: [{ bearer: [] }] } }, (app) =>
      app
        .get("/events", ({ query, set }) => {
          set.headers["cache-control"] = "no-store";
          const events = log.list(query).map(publicDelivery);
          return {
            events,
            counters: log.counters(),
            pausedPixels: log.pausedPixels().map((p) => ({ pixelId: p.pixelId, pausedAt: iso(p.pausedAt), reason: p.reason })),
            nextBefore: events.length === query.limit ? events.at(-1)!.id : null,
          };
        }, {
          query: EventsQuery,
          detail: {
            summary: "The Conversions API delivery log",
            description:
              "Server events newest first: event name and id, link, status (pending, sent, failed, expired), attempts, Meta's last answer " +
              "and whether the browser's Pixel reported the same event id. `counters` counts every event by status; " +
              "`pausedPixels` lists pixels held back by a token or permission error. Page back with `before=nextBefore`.",
            tags: ["tracking"],
          },
        })
        .get("/events/:eventId", ({ params, set }) => {
          set.headers["cache-control"] = "no-store";
          const rows = log.forEventId(params.eventId).map(publicDelivery);
          const browserFired = log.browserFired(params.eventId);
          if (rows.length === 0 && !browserFired) throw notFound("No event with this id.");
          const serverDelivered = rows.some((r) => r.status === "sent");
          return { eventId: params.eventId, browserFired, serverDelivered, deduplicated: browserFired && serverDelivered, events: rows };
        }, {
          params: EventIdParams,
          detail: {
            summary: "One event id: browser fired, server delivered, same id",
            description:
              "Every server event sent under this event id (one per pixel) and whether the page's Pixel fired it. " +
              "When both are true, Meta received the browser and the server event with one id and counts them once.",
            tags: ["tracking"],
          },
        }),
    );
