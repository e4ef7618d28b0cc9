import type { Database } from "bun:sqlite";
import { backoffMs, classify, type Answer } from "./classify";
import { capiBody, postEvents } from "./sender-http";
import { outboxRepo, type OutboxRow } from "./sender-repo";
import { logEntry } from "../log";
import { sha256 } from "../api/tokens";

/** Meta's recommended request timeout for the Conversions API. */
export const CAPI_TIMEOUT_MS = 1500;
/** Meta takes up to 1000 events in one request's `data`. */
export const MAX_BATCH = 1000;
/** Meta rejects a whole request if any event_time in it is more than 7 days old. */
export const MAX_EVENT_AGE_S = 7 * 86_400;
/** Events this close to the limit are expired rather than risked: the request and clocks take time. */
export const EXPIRY_MARGIN_S = 60;
/** Meta's answers can be long (an HTML error page); a log row keeps the start. */
const MAX_ANSWER_CHARS = 4000;
const SWEEP_EVERY_MS = 60_000;
/** After an unexpected error (a locked database), a pixel waits this long instead of spinning. */
const ERROR_HOLD_MS = 5_000;
/** Rows per write transaction: short enough that the click-out writer never waits long for the lock… */
const WRITE_CHUNK = 250;
/** …and shorter still (about a millisecond held) while clicks are being written: each request waits for its batch's commit. */
const CONTENDED_CHUNK = 50;
/** A lock wait longer than this means the click-out writer is busy… */
const LOCK_WAIT_MS = 0.5;
/** …when it happens twice within this window (one slow BEGIN alone can be the file system). */
const CONTENDED_WINDOW_MS = 2_000;
/**
 * While clicks are being written, the sender holds the write lock at most 1 / (1 + this) of the
 * time… (each click batch that meets the lock waits for it, and with it every fan in that batch)
 */
const CHUNK_YIELD_RATIO = 19;
/**
 * …and spends at most 1 / (1 + this) of the time on the backlog, so a drain never crowds out fans.
 * Measured beside a 300k backlog, a fresh process per round, 7 trials each (bench/run.ts does the
 * same with 3), the untracked click-out as a median of an idle server's: 0.86 with 9 and 4, 0.92
 * with 19 and 9; then, after the rollup stopped holding the lock while reading, 0.91 with 19 and 9
 * and 0.95 with 39 and 19. Only while clicks flow (the lock was found taken): an idle instance
 * drains at full speed, and a busy one at a few thousand events a second.
 */
const BATCH_YIELD_RATIO = 39;

export interface SenderDeps {
  db: Database;
  graphUrl: string;
  apiVersion: string;
  /** Sent as test_event_code while it returns one. */
  testEventCode: () => string | null;
  /** The CAPI access token for a pixel, or null when none is configured. */
  tokenFor: (pixelId: string) => string | null;
  clock?: () => number;
  fetch?: typeof fetch;
  timeoutMs?: number;
  batchSize?: number;
  /** Longest sleep between looks at the outbox (token changes, events written without notify). */
  pollMs?: number;
  random?: () => number;
  log?: (entry: Record<string, unknown>) => void;
}

export interface OutboxSender {
  /** New events were committed: send them now. */
  notify(): void;
  /** Sends until nothing is due (tests and benchmarks). */
  drain(): Promise<void>;
  /** Lets in-flight requests finish and record their answers, then stops. */
  stop(): Promise<void>;
  /** Resumes a pixel paused by a token or permission error. */
  unpause(pixelId: string): void;
}

// The process's logger (pino, LOG_LEVEL), on whichever thread the sender runs.
const defaultLog = logEntry;

const tokenFingerprint = (token: string) => sha256(token).slice(0, 16);

/**
 * The outbox sender: reads due events from capi_events, sends them to the Conversions API in
 * batches per pixel and records each answer in one short transaction. The rows are the whole
 * state, so a restart resumes where the last process stopped.
 */
export function startOutboxSender(deps: SenderDeps): OutboxSender {
  const { graphUrl, apiVersion, testEventCode, tokenFor } = deps;
  const clock = deps.clock ?? Date.now;
  const timeoutMs = deps.timeoutMs ?? CAPI_TIMEOUT_MS;
  const batchSize = Math.min(Math.max(deps.batchSize ?? MAX_BATCH, 1), MAX_BATCH);
  const pollMs = deps.pollMs ?? 1000;
  const random = deps.random ?? Math.random;
  const log = deps.log ?? defaultLog;
  const repo = outboxRepo(deps.db);

  /** One lane per pixel: at most one request in flight for it, so its answers are recorded in order. */
  const lanes = new Map<string, Promise<void>>();
  /** Pixel → time before which it is not tried again (after a transient failure). */
  const holds = new Map<string, number>();
  /** Pixel → failures in a row, for the pixel's own backoff. */
  const streaks = new Map<string, number>();
  /** Pixels without a token: looked at again only once tokenFor answers. */
  const tokenless = new Set<string>();
  let stopped = false;
  let kicked = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let lastSweep = -Infinity;
  /** Real times of the last two lock waits: traffic is flowing while they are recent. */
  let lockWaits = [-Infinity, -Infinity];
  const contended = () => performance.now() - lockWaits[0]! < CONTENDED_WINDOW_MS;
  let sleptMs = 0;
  const yieldFor = async (ms: number) => {
    sleptMs += ms;
    await Bun.sleep(ms);
  };

  const cutoffSeconds = (now: number) => Math.floor(now / 1000) - MAX_EVENT_AGE_S + EXPIRY_MARGIN_S;
  const expiredNote = "expired: event_time is more than 7 days old; Meta rejects such events, so it was not sent";

  function kick() {
    if (stopped || kicked) return;
    kicked = true;
    setImmediate(() => {
      kicked = false;
      pump();
    });
  }

  function arm(delayMs: number) {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(pump, Math.min(Math.max(delayMs, 1), pollMs));
    timer.unref?.();
  }

  /** Starts a lane for every pixel with due events, then sleeps until the next one is due. */
  function pump() {
    if (stopped) return;
    const now = clock();
    let wake = now + pollMs;
    try {
      if (now - lastSweep >= SWEEP_EVERY_MS) {
        lastSweep = now;
        const n = repo.expireOlderThan(cutoffSeconds(now), expiredNote);
        if (n > 0) log({ level: "warn", msg: "capi: pending events expired", events: n });
      }
      const paused = repo.paused();
      for (const pixelId of repo.pendingPixels()) {
        if (lanes.has(pixelId)) continue;
        if (paused.has(pixelId)) {
          const token = tokenFor(pixelId);
          if (!token || tokenFingerprint(token) === paused.get(pixelId)) continue;
          repo.unpause(pixelId);
          log({ level: "info", msg: "capi: pixel resumed, its token changed", pixelId });
        }
        if (tokenless.has(pixelId)) {
          if (!tokenFor(pixelId)) continue;
          tokenless.delete(pixelId);
        }
        const first = repo.firstDue(pixelId);
        if (first === null) continue;
        const at = Math.max(first, holds.get(pixelId) ?? 0);
        if (at > now) wake = Math.min(wake, at);
        else startLane(pixelId);
      }
    } catch (err) {
      log({ level: "error", msg: "capi: outbox scan failed", error: String(err) });
    }
    arm(wake - now);
  }

  function startLane(pixelId: string) {
    const lane = runLane(pixelId)
      .catch((err) => {
        holds.set(pixelId, clock() + ERROR_HOLD_MS);
        log({ level: "error", msg: "capi: sending failed unexpectedly", pixelId, error: String(err) });
      })
      .finally(() => {
        lanes.delete(pixelId);
        kick();
      });
    lanes.set(pixelId, lane);
  }

  type Flight = { token: string; rows: OutboxRow[]; answer: Promise<Answer> };

  /**
   * Sends the pixel's due events batch after batch. While one batch's success is being recorded,
   * the next batch is already on the wire, so a backlog drains at the speed of the slower of the two.
   */
  async function runLane(pixelId: string) {
    let flight = launch(pixelId, null);
    while (flight) {
      const answer = await flight.answer;
      const busySince = performance.now();
      const sleptBefore = sleptMs;
      const done = flight;
      const verdict = classify(answer);
      // Only after a success is the next batch sent before this one is recorded; anything else is settled first.
      flight = verdict.kind === "sent" ? launch(pixelId, done.rows.at(-1)!) : null;
      if (!(await settle(pixelId, done.token, done.rows, answer))) {
        if (flight) await settle(pixelId, flight.token, flight.rows, await flight.answer);
        return;
      }
      // Rows skipped by the in-order continuation (or the end of it) are picked up from the start again.
      flight ??= launch(pixelId, null);
      if (flight && contended()) {
        const busy = performance.now() - busySince - (sleptMs - sleptBefore);
        await yieldFor(Math.min(250, Math.max(1, busy * BATCH_YIELD_RATIO)));
      }
    }
  }

  /** Reads the next due batch (after `after`, when a batch is in flight) and posts it; null when nothing is to send. */
  function launch(pixelId: string, after: OutboxRow | null): Flight | null {
    if (stopped) return null;
    const token = tokenFor(pixelId);
    if (!token) {
      tokenless.add(pixelId);
      repo.noteWaiting(pixelId, `no access token for pixel ${pixelId}: set the instance token or one on a link that uses this pixel; the events wait`);
      return null;
    }
    for (;;) {
      const now = clock();
      const rows = repo.due(pixelId, now, batchSize, after);
      if (rows.length === 0) return null;
      const cutoff = cutoffSeconds(now);
      const fresh = rows.filter((r) => r.eventTime >= cutoff);
      if (fresh.length < rows.length) repo.record(rows.filter((r) => r.eventTime < cutoff), { status: "expired" }, null, expiredNote);
      if (fresh.length) return { token, rows: fresh, answer: post(pixelId, token, fresh) };
      after = rows.at(-1)!;
    }
  }

  /** Sends rows in one request and records the answer; false when the lane should stop for now. */
  async function deliver(pixelId: string, token: string, rows: OutboxRow[]): Promise<boolean> {
    if (stopped) return false;
    return settle(pixelId, token, rows, await post(pixelId, token, rows));
  }

  /**
   * Writes rows in short transactions. The click-out writer shares the database's one write lock (it
   * retries a busy batch on its next turns, its requests waiting), so once the sender had to wait for
   * the lock (traffic is flowing) it writes smaller chunks and leaves gaps: clicks stay fast, the
   * backlog drains a little slower.
   */
  async function writeInChunks<T extends { id: number }>(rows: T[], write: (chunk: T[]) => number) {
    for (let i = 0; i < rows.length; ) {
      const size = contended() ? CONTENDED_CHUNK : WRITE_CHUNK;
      const t0 = performance.now();
      const waited = write(rows.slice(i, i + size));
      i += size;
      const held = performance.now() - t0 - waited;
      if (waited > LOCK_WAIT_MS) lockWaits = [lockWaits[1]!, performance.now()];
      if (contended()) await yieldFor(Math.max(1, held * CHUNK_YIELD_RATIO));
    }
  }

  /** Records what Meta's answer means for these rows; false when the lane should stop. */
  async function settle(pixelId: string, token: string, rows: OutboxRow[], answer: Answer): Promise<boolean> {
    const verdict = classify(answer);
    const now = clock();
    const status = "status" in answer ? answer.status : null;
    const text = ("status" in answer ? answer.text : answer.message).slice(0, MAX_ANSWER_CHARS);

    switch (verdict.kind) {
      case "sent":
        await writeInChunks(rows, (chunk) => repo.record(chunk, { status: "sent", sentAt: now }, status, text));
        streaks.delete(pixelId);
        holds.delete(pixelId);
        return true;
      case "retry": {
        const streak = (streaks.get(pixelId) ?? 0) + 1;
        const floor = "retryAfterMs" in answer ? (answer.retryAfterMs ?? 0) : 0;
        const wait = Math.max(backoffMs(streak, random), floor);
        streaks.set(pixelId, streak);
        holds.set(pixelId, now + wait);
        // An event never comes due before its pixel's hold ends: the hold decides when the pixel is tried.
        await writeInChunks(rows, (chunk) => repo.retry(chunk, (row) => now + Math.max(backoffMs(row.attempts + 1, random), wait), status, text));
        log({ level: "warn", msg: "capi: delivery will be retried", pixelId, events: rows.length, reason: verdict.reason, retryInMs: wait });
        return false;
      }
      case "pause":
        repo.pause(pixelId, now, verdict.reason, tokenFingerprint(token));
        await writeInChunks(rows, (chunk) => repo.record(chunk, { status: "pending", countAttempt: true }, status, text));
        log({ level: "error", msg: "capi: pixel paused by a token or permission error; its events wait", pixelId, reason: verdict.reason });
        return false;
      case "invalid": {
        if (rows.length === 1) {
          repo.record(rows, { status: "failed" }, status, text);
          log({ level: "warn", msg: "capi: Meta refused an event", pixelId, eventId: rows[0]!.eventId, reason: verdict.reason });
          return true;
        }
        // Meta refuses a whole batch for one bad event: halve it until the bad one stands alone.
        const mid = Math.ceil(rows.length / 2);
        return (await deliver(pixelId, token, rows.slice(0, mid))) && (await deliver(pixelId, token, rows.slice(mid)));
      }
    }
  }

  const endpoint = { graphUrl, apiVersion, timeoutMs, fetch: deps.fetch ?? fetch };
  const post = (pixelId: string, token: string, rows: OutboxRow[]) => postEvents(endpoint, pixelId, capiBody(rows, token, testEventCode()));

  kick();

  return {
    notify: kick,
    async drain() {
      while (!stopped) {
        if (timer) clearTimeout(timer);
        pump();
        if (lanes.size === 0) return;
        await Promise.all(lanes.values());
      }
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await Promise.all(lanes.values());
    },
    unpause(pixelId: string) {
      repo.unpause(pixelId);
      holds.delete(pixelId);
      streaks.delete(pixelId);
      kick();
    },
  };
}
