import type { Database } from "bun:sqlite";

const DAY = 86_400_000;
/**
 * Meta takes events up to 7 days old; a day later nobody will send one again, so its payload (the
 * fan's IP address, user agent, fbp/fbc, hashed ids) has no use left and is cleared. The row stays
 * for the delivery log: name, id, status, attempts and Meta's answer.
 */
export const PAYLOAD_KEEP_DAYS = 8;

type Row = { id: number; created_at: number };

/**
 * Housekeeping of the CAPI outbox, run with the rollup on its thread (stats/housekeeping-worker.ts): clears old payloads
 * (a still-pending event that old can never be sent: it is marked expired) and deletes rows, and
 * their browser acks, older than the raw-event retention. Works by id ranges from a stored
 * watermark, oldest first, in bounded batches, so it never scans the table.
 */
export function outboxRetention(db: Database) {
  db.run("INSERT OR IGNORE INTO rollup_progress (source, last_id) VALUES ('capi_scrub', 0)");
  const watermark = db.query<{ last_id: number }, []>("SELECT last_id FROM rollup_progress WHERE source = 'capi_scrub'");
  const advance = db.query<null, [number]>("UPDATE rollup_progress SET last_id = ?1 WHERE source = 'capi_scrub'");
  const after = db.query<Row, [number, number]>("SELECT id, created_at FROM capi_events WHERE id > ?1 ORDER BY id LIMIT ?2");
  const scrub = db.query<null, [number, number]>(
    `UPDATE capi_events SET payload = '', status = CASE status WHEN 'pending' THEN 'expired' ELSE status END
     WHERE id BETWEEN ?1 AND ?2`);
  const oldest = db.query<Row, [number]>("SELECT id, created_at FROM capi_events ORDER BY id LIMIT ?1");
  const dropAcks = db.query<null, [number, number]>(
    "DELETE FROM browser_acks WHERE event_id IN (SELECT event_id FROM capi_events WHERE id BETWEEN ?1 AND ?2)");
  const drop = db.query<null, [number, number]>("DELETE FROM capi_events WHERE id BETWEEN ?1 AND ?2");

  /** The leading rows of `rows` created before `cutoff` (ids grow with time). */
  const before = (rows: Row[], cutoff: number) => {
    const i = rows.findIndex((r) => r.created_at >= cutoff);
    return i === -1 ? rows : rows.slice(0, i);
  };

  return {
    /** One bounded pass; `retentionDays` ≤ 0 keeps rows forever (payloads are still cleared). */
    maintain(now: number, retentionDays: number, opts: { batch?: number; budgetMs?: number } = {}): { scrubbed: number; deleted: number } {
      const batch = opts.batch ?? 2000;
      const until = performance.now() + (opts.budgetMs ?? 50);
      let scrubbed = 0;
      let deleted = 0;
      for (;;) {
        const rows = before(after.all(watermark.get()?.last_id ?? 0, batch), now - PAYLOAD_KEEP_DAYS * DAY);
        if (rows.length === 0) break;
        const [first, last] = [rows[0]!.id, rows[rows.length - 1]!.id];
        db.transaction(() => {
          scrubbed += scrub.run(first, last).changes;
          advance.run(last);
        }).immediate();
        if (rows.length < batch || performance.now() > until) break;
      }
      if (retentionDays > 0) {
        for (;;) {
          const rows = before(oldest.all(batch), now - retentionDays * DAY);
          if (rows.length === 0) break;
          const [first, last] = [rows[0]!.id, rows[rows.length - 1]!.id];
          db.transaction(() => {
            dropAcks.run(first, last);
            deleted += drop.run(first, last).changes;
          }).immediate();
          if (rows.length < batch || performance.now() > until) break;
        }
      }
      return { scrubbed, deleted };
    },
  };
}
