import type { Database } from "bun:sqlite";
import type { EventRecord, Tally } from "./records";
import { writeTransaction } from "../db/open";

export type BatchCommit = (records: EventRecord[]) => { inserted: number; events: number; tally: Tally };

/**
 * One transaction per batch: each click or view row (a client's repeated eid adds nothing: no
 * second click, no second CAPI event), its outbox events, browser acks, and one rollup upsert per
 * (link, hour, metric, destination) of the batch.
 */
export function batchCommitter(db: Database): BatchCommit {
  const hour = (ts: number) => Math.floor(ts / 3_600_000);
  const insertClick = db.query(
    `INSERT INTO clicks (ts, link_id, dest_key, event_id, kind, device, referrer,
       utm_source, utm_medium, utm_campaign, utm_content, utm_term, country, os, app, visitor, route)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)`);
  const insertView = db.query(
    `INSERT INTO page_views (ts, link_id, event_id, kind, device, referrer,
       utm_source, utm_medium, utm_campaign, utm_content, utm_term, country, os, app, visitor)
     VALUES (?1, ?2, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)`);
  const bump = db.query(
    `INSERT INTO rollup_hourly (link_id, hour, metric, dest_key, humans, others) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
     ON CONFLICT (link_id, hour, metric, dest_key) DO UPDATE SET humans = humans + excluded.humans, others = others + excluded.others`);
  const claimEid = db.query("INSERT OR IGNORE INTO click_eids (event_id) VALUES (?1)");
  const insertAck = db.query("INSERT OR IGNORE INTO browser_acks (event_id, ts) VALUES (?1, ?2)");
  const enqueue = db.query(
    `INSERT OR IGNORE INTO capi_events (created_at, pixel_id, link_id, event_name, event_id, event_time, payload, next_attempt_at)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?1)`);

  // IMMEDIATE: the write lock is taken (or found busy) at BEGIN, before any work is done.
  return writeTransaction(db, (records: EventRecord[]) => {
    let inserted = 0;
    let events = 0;
    const tally: Tally = [0, 0, 0, 0];
    // One rollup upsert per (link, hour, metric, destination) in the batch, not one per record.
    type Count = { linkId: number; hour: number; t: string; destKey: string; humans: number; others: number };
    const counts = new Map<string, Count>();
    let last: Count | undefined;
    for (const r of records) {
      if (r.t === "ack") {
        insertAck.run(r.eventId, r.ts);
        continue;
      }
      // A client's eid seen before adds nothing: no second click, no second CAPI event. The
      // server's own ids are unique by construction and need no check.
      if (r.clientEid && claimEid.run(r.eventId).changes === 0) continue;
      const u = r.utm;
      if (r.t === "click") {
        insertClick.run(r.ts, r.linkId, r.destKey, r.eventId, r.kind, r.device, r.referrer, u[0], u[1], u[2], u[3], u[4], r.country, r.os, r.app, r.visitor, r.route ?? null);
      } else {
        insertView.run(r.ts, r.linkId, r.destKey, r.eventId, r.kind, r.device, r.referrer, u[0], u[1], u[2], u[3], u[4], r.country, r.os, r.app, r.visitor);
      }
      inserted++;
      const h = hour(r.ts);
      // Most records of a batch share the previous one's group: compare before building a key.
      let n = last;
      if (!n || n.linkId !== r.linkId || n.hour !== h || n.t !== r.t || n.destKey !== r.destKey) {
        const key = `${r.linkId} ${h} ${r.t} ${r.destKey}`;
        n = counts.get(key);
        if (!n) counts.set(key, (n = { linkId: r.linkId, hour: h, t: r.t, destKey: r.destKey, humans: 0, others: 0 }));
        last = n;
      }
      if (r.kind === "human") n.humans++;
      else n.others++;
      tally[(r.t === "click" ? 2 : 0) + (r.kind === "human" ? 0 : 1)]++;
      for (const e of r.events) {
        events += enqueue.run(r.ts, e.pixelId, r.linkId, e.eventName, e.eventId, e.eventTime, e.payload).changes;
      }
    }
    for (const n of counts.values()) bump.run(n.linkId, n.hour, n.t, n.destKey, n.humans, n.others);
    return { inserted, events, tally };
  });
}
