import type { Database } from "bun:sqlite";
import { rmSync } from "node:fs";
import { openDatabase } from "../src/db/open";
import { startOutboxSender, type OutboxSender, type SenderDeps } from "../src/tracking/sender";
import { startFakeGraph, type FakeGraph } from "./fake-graph";
// From ./temp, not ./helpers: that module loads the whole app, and the sender (and bench/drain.ts) need none of it.
import { tempDir } from "./temp";

export { tempDir };

// Not imported from ./helpers, for the same reason.
const HUMAN_UA =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1";

export const PIXEL = "1234567890";
export const OTHER_PIXEL = "9876543210";
export const T0 = Date.UTC(2026, 10, 1, 12, 0, 0);

export interface OutboxRow {
  event_id: string;
  pixel_id: string;
  status: string;
  attempts: number;
  next_attempt_at: number;
  last_status: number | null;
  last_response: string | null;
  sent_at: number | null;
}

/** One CAPI server event in the shape the click-out path stores it. */
export function serverEvent(eventId: string, eventTime: number, eventName = "Lead") {
  return {
    event_name: eventName,
    event_time: eventTime,
    event_id: eventId,
    action_source: "website",
    event_source_url: "https://outro.example/night-drive?fbclid=IwAR-test",
    user_data: { client_ip_address: "203.0.113.7", client_user_agent: HUMAN_UA, fbp: "fb.1.1761998400000.1234567890", fbc: "fb.1.1761998400000.IwAR-test" },
    custom_data: { content_name: "Night Drive – Babbage", content_category: "spotify", content_type: "music", platform: "spotify" },
  };
}

/** Writes pending outbox rows the way the click-out writer does; returns their event ids. */
export function enqueue(db: Database, n: number, opts: { pixelId?: string; at?: number; eventTime?: number; prefix?: string; linkId?: number | null; eventName?: string } = {}): string[] {
  const at = opts.at ?? T0;
  const eventTime = opts.eventTime ?? Math.floor(at / 1000);
  const pixelId = opts.pixelId ?? PIXEL;
  const prefix = opts.prefix ?? `ev-${pixelId}-`;
  const eventName = opts.eventName ?? "Lead";
  const insert = db.query(
    `INSERT INTO capi_events (created_at, pixel_id, link_id, event_name, event_id, event_time, payload, next_attempt_at)
     VALUES ($at, $pixelId, $linkId, $eventName, $eventId, $eventTime, $payload, $at)`);
  const ids: string[] = [];
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const eventId = `${prefix}${String(i).padStart(6, "0")}`;
      ids.push(eventId);
      insert.run({ at, pixelId, linkId: opts.linkId ?? null, eventName, eventId, eventTime, payload: JSON.stringify(serverEvent(eventId, eventTime, eventName)) });
    }
  })();
  return ids;
}

export const rows = (db: Database, pixelId?: string) =>
  db.query<OutboxRow, { pixelId: string | null }>(
    `SELECT event_id, pixel_id, status, attempts, next_attempt_at, last_status, last_response, sent_at
     FROM capi_events WHERE $pixelId IS NULL OR pixel_id = $pixelId ORDER BY id`).all({ pixelId: pixelId ?? null });

export const statusCounts = (db: Database) =>
  Object.fromEntries(db.query<{ status: string; n: number }, []>("SELECT status, COUNT(*) AS n FROM capi_events GROUP BY status").all().map((r) => [r.status, r.n]));

export interface Rig {
  db: Database;
  graph: FakeGraph;
  sender: OutboxSender;
  /** The fake clock (ms); tests move it. */
  clock: { now: number };
  tokens: Map<string, string | null>;
  testCode: { value: string | null };
  logs: Record<string, unknown>[];
  /** Starts (or restarts) the sender with the rig's clock and tokens. */
  restart(extra?: Partial<SenderDeps>): Promise<void>;
  close(): Promise<void>;
}

/** A temp database, a fake Graph API and a sender on a fake clock; nothing shared between tests. */
export async function senderRig(extra: Partial<SenderDeps> = {}): Promise<Rig> {
  const dir = tempDir("outro-sender-");
  const db = openDatabase(dir);
  const graph = await startFakeGraph();
  const clock = { now: T0 };
  const tokens = new Map<string, string | null>([[PIXEL, "EAAB-token-one"], [OTHER_PIXEL, "EAAB-token-two"]]);
  const testCode = { value: null as string | null };
  const logs: Record<string, unknown>[] = [];
  const start = (more: Partial<SenderDeps>) =>
    startOutboxSender({
      db,
      graphUrl: graph.url,
      apiVersion: "v26.0",
      testEventCode: () => testCode.value,
      tokenFor: (pixelId) => tokens.get(pixelId) ?? null,
      clock: () => clock.now,
      // The timer only matters for the real-time tests; fake-clock tests drive the sender with drain().
      pollMs: 60_000,
      log: (entry) => logs.push(entry),
      ...extra,
      ...more,
    });
  const rig: Rig = {
    db, graph, clock, tokens, testCode, logs,
    sender: start({}),
    async restart(more = {}) {
      await rig.sender.stop();
      rig.sender = start(more);
    },
    async close() {
      await rig.sender.stop();
      await graph.stop();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return rig;
}
