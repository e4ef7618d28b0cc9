import type { Database } from "bun:sqlite";

/** A pending outbox row as the sender needs it: the payload is the stored JSON text of one server event. */
export interface OutboxRow {
  id: number;
  eventId: string;
  eventTime: number;
  attempts: number;
  nextAttemptAt: number;
  payload: string;
}

/** What one request's answer does to each of its rows. */
export type RowUpdate =
  | { status: "sent"; sentAt: number }
  | { status: "failed" }
  | { status: "expired" }
  /** Stays pending; next_attempt_at moves only where given. */
  | { status: "pending"; nextAttemptAt?: number; countAttempt: boolean };

/** The write side of the CAPI outbox, on the main connection. Every result is one short transaction. */
export function outboxRepo(db: Database) {
  // Loose index scan over the partial index capi_events_due: one seek per pixel, however long the backlog.
  // INDEXED BY: without ANALYZE statistics SQLite may pick another index and sort every pending row.
  const nextPixel = db.query<{ pixelId: string }, { after: string }>(
    "SELECT pixel_id AS pixelId FROM capi_events INDEXED BY capi_events_due WHERE status = 'pending' AND pixel_id > $after ORDER BY pixel_id LIMIT 1");
  const firstDue = db.query<{ at: number | null }, { pixelId: string }>(
    "SELECT MIN(next_attempt_at) AS at FROM capi_events INDEXED BY capi_events_due WHERE status = 'pending' AND pixel_id = $pixelId");
  // Due rows in (next_attempt_at, id) order; `after` continues past a batch that is still in flight.
  const dueAfter = db.query<OutboxRow, { pixelId: string; now: number; limit: number; at: number; id: number }>(
    `SELECT id, event_id AS eventId, event_time AS eventTime, attempts, next_attempt_at AS nextAttemptAt, payload
     FROM capi_events INDEXED BY capi_events_due WHERE status = 'pending' AND pixel_id = $pixelId AND next_attempt_at <= $now
       AND next_attempt_at >= $at AND (next_attempt_at > $at OR id > $id)
     ORDER BY next_attempt_at, id LIMIT $limit`);

  const setSent = db.query<null, { id: number; at: number; code: number | null; answer: string }>(
    "UPDATE capi_events SET status = 'sent', sent_at = $at, attempts = attempts + 1, last_status = $code, last_response = $answer WHERE id = $id AND status = 'pending'");
  const setFailed = db.query<null, { id: number; code: number | null; answer: string }>(
    "UPDATE capi_events SET status = 'failed', attempts = attempts + 1, last_status = $code, last_response = $answer WHERE id = $id AND status = 'pending'");
  const setExpired = db.query<null, { id: number; answer: string }>(
    "UPDATE capi_events SET status = 'expired', last_response = $answer WHERE id = $id AND status = 'pending'");
  const setRetry = db.query<null, { id: number; next: number; code: number | null; answer: string }>(
    "UPDATE capi_events SET attempts = attempts + 1, next_attempt_at = $next, last_status = $code, last_response = $answer WHERE id = $id AND status = 'pending'");
  const setKept = db.query<null, { id: number; code: number | null; answer: string; counted: number }>(
    "UPDATE capi_events SET attempts = attempts + $counted, last_status = $code, last_response = $answer WHERE id = $id AND status = 'pending'");
  const noteAll = db.query<null, { pixelId: string; answer: string }>(
    "UPDATE capi_events SET last_response = $answer WHERE status = 'pending' AND pixel_id = $pixelId AND last_response IS NOT $answer");
  // Pending rows in id order, which is (nearly) event_time order: the oldest are read first. From
  // the partial index of pending rows (a sort of those, once a minute on the sender's thread):
  // walking the table by id would pass every event already sent.
  const oldest = db.query<{ id: number; eventTime: number }, { after: number }>(
    "SELECT id, event_time AS eventTime FROM capi_events INDEXED BY capi_events_due WHERE status = 'pending' AND id > $after ORDER BY id LIMIT 1000");

  const paused = db.query<{ pixelId: string; token: string | null }, []>(
    "SELECT pixel_id AS pixelId, paused_token AS token FROM pixel_state WHERE paused_at IS NOT NULL");
  const pause = db.query<null, { pixelId: string; at: number; reason: string; token: string }>(
    `INSERT INTO pixel_state (pixel_id, paused_at, pause_reason, paused_token) VALUES ($pixelId, $at, $reason, $token)
     ON CONFLICT (pixel_id) DO UPDATE SET paused_at = excluded.paused_at, pause_reason = excluded.pause_reason, paused_token = excluded.paused_token`);
  const unpause = db.query<null, { pixelId: string }>(
    "UPDATE pixel_state SET paused_at = NULL, pause_reason = NULL, paused_token = NULL WHERE pixel_id = $pixelId");

  /**
   * Runs fn in one BEGIN IMMEDIATE transaction and returns how long the write lock took to get (ms):
   * the sender reads a wait as "the click-out writer is busy" and gives it room.
   */
  function immediate(fn: () => void): number {
    const t0 = performance.now();
    db.exec("BEGIN IMMEDIATE");
    const waited = performance.now() - t0;
    try {
      fn();
      db.exec("COMMIT");
    } catch (err) {
      if (db.inTransaction) db.exec("ROLLBACK");
      throw err;
    }
    return waited;
  }

  function apply(id: number, update: RowUpdate, code: number | null, answer: string) {
    switch (update.status) {
      case "sent": setSent.run({ id, at: update.sentAt, code, answer }); break;
      case "failed": setFailed.run({ id, code, answer }); break;
      case "expired": setExpired.run({ id, answer }); break;
      case "pending":
        if (update.nextAttemptAt !== undefined) setRetry.run({ id, next: update.nextAttemptAt, code, answer });
        else setKept.run({ id, code, answer, counted: update.countAttempt ? 1 : 0 });
        break;
    }
  }

  return {
    /** Every pixel that has pending events, due or not. */
    pendingPixels(): string[] {
      const out: string[] = [];
      for (let row = nextPixel.get({ after: "" }); row; row = nextPixel.get({ after: row.pixelId })) out.push(row.pixelId);
      return out;
    },
    /** When the earliest pending event of the pixel is due (ms), or null if it has none. */
    firstDue: (pixelId: string) => firstDue.get({ pixelId })?.at ?? null,
    /** Up to `limit` due rows of the pixel, oldest first, after the row `after` in that order. */
    due: (pixelId: string, now: number, limit: number, after?: OutboxRow | null) =>
      dueAfter.all({ pixelId, now, limit, at: after?.nextAttemptAt ?? Number.MIN_SAFE_INTEGER, id: after?.id ?? 0 }),
    /** One transaction: the same outcome and answer for each row (those no longer pending are left alone). Returns the lock wait (ms). */
    record: (rows: readonly { id: number }[], update: RowUpdate, code: number | null, answer: string) =>
      immediate(() => {
        for (const { id } of rows) apply(id, update, code, answer);
      }),
    /** One transaction: each row stays pending with its own next attempt time. Returns the lock wait (ms). */
    retry: (rows: OutboxRow[], next: (row: OutboxRow) => number, code: number | null, answer: string) =>
      immediate(() => {
        for (const row of rows) setRetry.run({ id: row.id, next: next(row), code, answer });
      }),
    /** Marks the pixel paused by a token or permission error, with a fingerprint of the token that failed. */
    pause: (pixelId: string, at: number, reason: string, tokenHash: string) =>
      immediate(() => void pause.run({ pixelId, at, reason, token: tokenHash })),
    unpause: (pixelId: string) => void unpause.run({ pixelId }),
    paused: () => new Map(paused.all().map((p) => [p.pixelId, p.token])),
    /** Explains on every pending row of the pixel why it waits (written once, not on every check). */
    noteWaiting: (pixelId: string, answer: string) => void noteAll.run({ pixelId, answer }),
    /**
     * Expires pending rows whose event_time is before the cutoff, reading from the oldest id and
     * stopping at a chunk that is an hour clear of it, so a long backlog is not scanned every time.
     */
    expireOlderThan(cutoffSeconds: number, answer: string): number {
      const stale: { id: number }[] = [];
      for (let after = 0; ;) {
        const chunk = oldest.all({ after });
        if (chunk.length === 0) break;
        let oldestTime = Infinity;
        for (const r of chunk) {
          if (r.eventTime < cutoffSeconds) stale.push(r);
          oldestTime = Math.min(oldestTime, r.eventTime);
        }
        if (oldestTime >= cutoffSeconds + 3600) break;
        after = chunk.at(-1)!.id;
      }
      if (stale.length) immediate(() => stale.forEach(({ id }) => setExpired.run({ id, answer })));
      return stale.length;
    },
  };
}
export type OutboxRepo = ReturnType<typeof outboxRepo>;
