import type { Database } from "bun:sqlite";
import { deliveryLogRepo } from "./log-repo";

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
  const repo = deliveryLogRepo(db);
  const fix = (r: DeliveryRow): DeliveryRow => ({ ...r, browserFired: Boolean(r.browserFired) });
  return {
    /** Newest first; `before` pages back by id. */
    list(opts: { status?: DeliveryStatus; limit?: number; before?: number } = {}): DeliveryRow[] {
      const limit = Math.min(Math.max(opts.limit ?? 100, 1), 1000);
      const before = opts.before ?? Number.MAX_SAFE_INTEGER;
      return (opts.status ? repo.pageWithStatus(opts.status, limit, before) : repo.page(limit, before)).map(fix);
    },
    forEventId: (eventId: string) => repo.byEventId(eventId).map(fix),
    /** Did the page's Pixel report firing this event id, whether or not a server event exists for it? */
    browserFired: (eventId: string) => repo.ackCount(eventId) > 0,
    counters(): Record<DeliveryStatus, number> {
      const out = { pending: 0, sent: 0, failed: 0, expired: 0 };
      for (const c of repo.counts()) out[c.status] = c.n;
      return out;
    },
    pausedPixels: () => repo.pausedPixels(),
    /** Pending events within a day of Meta's 7-day limit. */
    expiringSoon: (nowSeconds: number) => repo.pendingBefore(nowSeconds - 6 * 86_400),
  };
}
export type DeliveryLog = ReturnType<typeof deliveryLog>;
