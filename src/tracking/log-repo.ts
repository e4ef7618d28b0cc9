import type { Database } from "bun:sqlite";
import type { DeliveryRow, DeliveryStatus } from "./log";

const select = (indexedBy = "") => `SELECT e.id, e.event_name AS eventName, e.event_id AS eventId, e.pixel_id AS pixelId, e.link_id AS linkId,
    l.slug, e.status, e.attempts, e.event_time AS eventTime, e.created_at AS createdAt, e.sent_at AS sentAt,
    e.next_attempt_at AS nextAttemptAt, e.last_status AS lastStatus, e.last_response AS lastResponse,
    EXISTS (SELECT 1 FROM browser_acks a WHERE a.event_id = e.event_id) AS browserFired
  FROM capi_events e ${indexedBy} LEFT JOIN links l ON l.id = e.link_id`;
const SELECT = select();
// Pending rows are in the partial index capi_events_due only (migration 012): read from it, so a
// "pending" page costs the pending rows, not a walk down every event ever sent.
const SELECT_PENDING = select("INDEXED BY capi_events_due");

/** Reads of the CAPI outbox for the delivery log; browserFired comes back as 0 or 1. */
export function deliveryLogRepo(db: Database) {
  const all = db.query<DeliveryRow, { limit: number; before: number }>(`${SELECT} WHERE e.id < $before ORDER BY e.id DESC LIMIT $limit`);
  const pendingPage = db.query<DeliveryRow, { limit: number; before: number }>(
    `${SELECT_PENDING} WHERE e.status = 'pending' AND e.id < $before ORDER BY e.id DESC LIMIT $limit`);
  // "status <> 'pending'" lets SQLite use the partial index capi_events_settled.
  const settledPage = db.query<DeliveryRow, { status: string; limit: number; before: number }>(
    `${SELECT} WHERE e.status <> 'pending' AND e.status = $status AND e.id < $before ORDER BY e.id DESC LIMIT $limit`);
  const byEventId = db.query<DeliveryRow, { eventId: string }>(`${SELECT} WHERE e.event_id = $eventId ORDER BY e.id`);
  // Kept by triggers (migration 003): no COUNT(*) over raw events in a request.
  const counts = db.query<{ status: DeliveryStatus; n: number }, []>("SELECT status, n FROM capi_counts");
  const paused = db.query<{ pixelId: string; pausedAt: number; reason: string | null }, []>(
    "SELECT pixel_id AS pixelId, paused_at AS pausedAt, pause_reason AS reason FROM pixel_state WHERE paused_at IS NOT NULL");
  const acked = db.query<{ n: number }, { eventId: string }>("SELECT COUNT(*) AS n FROM browser_acks WHERE event_id = $eventId");
  const pendingBefore = db.query<{ n: number }, { before: number }>(
    "SELECT COUNT(*) AS n FROM capi_events INDEXED BY capi_events_due WHERE status = 'pending' AND event_time < $before");
  return {
    /** Newest first, ids below `before`. */
    page: (limit: number, before: number) => all.all({ limit, before }),
    pageWithStatus: (status: DeliveryStatus, limit: number, before: number) =>
      status === "pending" ? pendingPage.all({ limit, before }) : settledPage.all({ status, limit, before }),
    byEventId: (eventId: string) => byEventId.all({ eventId }),
    counts: () => counts.all(),
    pausedPixels: () => paused.all(),
    ackCount: (eventId: string) => acked.get({ eventId })!.n,
    /** Pending events whose event_time (seconds) is before the given one. */
    pendingBefore: (beforeSeconds: number) => pendingBefore.get({ before: beforeSeconds })!.n,
  };
}
export type DeliveryLogRepo = ReturnType<typeof deliveryLogRepo>;
