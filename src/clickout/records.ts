/** A CAPI event to store in the outbox in the same transaction as the click or view it belongs to. */
export interface OutboxEvent {
  pixelId: string;
  eventName: string;
  eventId: string;
  eventTime: number;
  payload: string;
}

/** human: a fan; bot: crawler or link preview; prefetch: speculative load; head: HEAD request. */
export type TrafficKind = "human" | "bot" | "prefetch" | "head";

export interface EventRecord {
  /** ack: the browser reports its Pixel fired eventId (only eventId and ts are used). */
  t: "click" | "view" | "ack";
  ts: number;
  linkId: number;
  /** The destination's key for a click; "" for a page view. */
  destKey: string;
  eventId: string;
  kind: TrafficKind;
  device: string;
  referrer: string | null;
  utm: [string | null, string | null, string | null, string | null, string | null];
  /** Analytics (fans only, null for bots): ISO country, OS, in-app browser, daily-salted visitor hash. */
  country: string | null;
  os: string | null;
  app: string | null;
  visitor: number | null;
  /** The event id came from the client (?eid=): kept unique in click_eids, so a repeat adds nothing. */
  clientEid?: boolean;
  /** A click-out the page made on its own for a returning fan ("auto"); absent for a tap. */
  route?: "auto";
  events: OutboxEvent[];
}

/** What a batch added, for /metrics: [page views by fans, other page views, click-outs by fans, other click-outs]. */
export type Tally = [number, number, number, number];
