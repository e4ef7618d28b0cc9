import type { Database } from "bun:sqlite";

export type DeliveryStatus = "pending" | "sent" | "failed" | "expired";
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ["pending", "sent", "failed", "expired"];

export interface DeliveryRow {
  id: number;
  eventName: string;
  eventId: string;
  pixelId: string;
  linkId: number | null;
  slug: string | null;
  status: DeliveryStatus;
  attempts: number;
  eventTime: number;
  createdAt: number;
  sentAt: number | null;
  nextAttemptAt: number;
  lastStatus: number | null;
  lastResponse: string | null;
  /** Did the browser's Pixel report firing this event id (POST /{slug}/ack)? */
  browserFired: boolean;
}

/** Read side of the CAPI outbox: the delivery log and its counters. */
export function deliveryLog(db: Database) {
  const select = `SELECT e.id, e.event_name AS eventName, e.event_id AS eventId, e.pixel_id AS pixelId, e.link_id AS linkId,
      l.slug, e.status, e.attempts, e.event_time AS eventTime, e.created_at AS createdAt, e.sent_at AS sentAt,
      e.next_attempt_at AS nextAttemptAt, e.last_status AS lastStatus, e.last_response AS lastResponse,
      EXISTS (SELECT 1 FROM browser_acks a WHERE a.event_id = e.event_id) AS browserFired
    FROM capi_events e LEFT JOIN links l ON l.id = e.link_id`;
  const all = db.query<DeliveryRow, { limit: number; before: number }>(`${select} WHERE e.id < $before ORDER BY e.id DESC LIMIT $limit`);
  const byStatus = db.query<DeliveryRow, { status: string; limit: number; before: number }>(
    `${select} WHERE e.status = $status AND e.id < $before ORDER BY e.id DESC LIMIT $limit`);
  const byEventId = db.query<DeliveryRow, { eventId: string }>(`${select} WHERE e.event_id = $eventId ORDER BY e.id`);
  // Kept by triggers (migration 003): no COUNT(*) over raw events in a request.
  const counts = db.query<{ status: DeliveryStatus; n: number }, []>("SELECT status, n FROM capi_counts");
  const paused = db.query<{ pixelId: string; pausedAt: number; reason: string | null }, []>(
    "SELECT pixel_id AS pixelId, paused_at AS pausedAt, pause_reason AS reason FROM pixel_state WHERE paused_at IS NOT NULL");
  const acked = db.query<{ n: number }, { eventId: string }>("SELECT COUNT(*) AS n FROM browser_acks WHERE event_id = $eventId");
  const expiringSoon = db.query<{ n: number }, { before: number }>(
    "SELECT COUNT(*) AS n FROM capi_events WHERE status = 'pending' AND event_time < $before");

  const fix = (r: DeliveryRow): DeliveryRow => ({ ...r, browserFired: Boolean(r.browserFired) });
  return {
    /** Newest first; `before` pages back by id. */
    list(opts: { status?: DeliveryStatus; limit?: number; before?: number } = {}): DeliveryRow[] {
      const limit = Math.min(Math.max(opts.limit ?? 100, 1), 1000);
      const before = opts.before ?? Number.MAX_SAFE_INTEGER;
      return (opts.status ? byStatus.all({ status: opts.status, limit, before }) : all.all({ limit, before })).map(fix);
    },
    forEventId: (eventId: string) => byEventId.all({ eventId }).map(fix),
    /** Did the page's Pixel report firing this event id, whether or not a server event exists for it? */
    browserFired: (eventId: string) => acked.get({ eventId })!.n > 0,
    counters(): Record<DeliveryStatus, number> {
      const out = { pending: 0, sent: 0, failed: 0, expired: 0 };
      for (const c of counts.all()) out[c.status] = c.n;
      return out;
    },
    pausedPixels: () => paused.all(),
    /** Pending events within a day of Meta's 7-day limit. */
    expiringSoon: (nowSeconds: number) => expiringSoon.get({ before: nowSeconds - 6 * 86_400 })!.n,
  };
}
export type DeliveryLog = ReturnType<typeof deliveryLog>;
