import { Database } from "bun:sqlite";
import type { EventRecord, Tally } from "./records";
import { batchCommitter, type BatchCommit } from "./commit";
import { applyPragmas } from "../db/open";
import { workerUrl } from "../workers";
import { rollupJob } from "../stats/rollup";
import { outboxRetention } from "../tracking/outbox-retention";
import { storedSetting } from "../settings/service";
import { log } from "../log";

export class WriteFailedError extends Error {}

type Waiter = { resolve: () => void; reject: (err: Error) => void };

/** How long a batch may wait for the write lock (another connection's transaction) before its requests fail. */
const LOCK_DEADLINE_MS = 5000;
/** Rollup folding runs between batches in short steps, so a click never waits long behind it. */
const ROLLUP_EVERY_MS = 50;
const ROLLUP_BUDGET_MS = 2;
const ROLLUP_STEP_ROWS = 100;
const MAINTAIN_EVERY_MS = 60_000;

const isBusy = (err: unknown) => err instanceof Error && /SQLITE_BUSY|database is locked/.test(`${(err as { code?: string }).code ?? ""} ${err.message}`);

/**
 * Group commit on the request thread: the records of one event-loop turn are committed in one
 * transaction on the writer's own connection, and every request is answered only after its
 * batch has committed. Measured faster than handing batches to a write thread (no copy, no
 * cross-thread wake-ups: on two shared cores those cost more than the commit itself).
 *
 * The connection never sleeps on SQLite's busy handler (that would stall every request): when
 * another connection (the CAPI sender, an admin edit) holds the write lock, the batch is tried
 * again on a later turn, growing with what arrives meanwhile, until LOCK_DEADLINE_MS; then its
 * requests fail, unrecorded and unanswered with a redirect.
 */
export class EventWriter {
  private readonly db: Database;
  private readonly commit: BatchCommit;
  private readonly checkpointer: Worker;
  private readonly rollupTimer: ReturnType<typeof setInterval>;
  private pending: EventRecord[] = [];
  private waiters: Waiter[] = [];
  /** When the oldest pending batch first found the write lock taken; 0 while it has not. */
  private busySince = 0;
  private retries = 0;
  private scheduled = false;
  private closed = false;
  /** Rows committed since start (repeats of an event id not counted), read by /metrics: see Tally. */
  readonly committed: Tally = [0, 0, 0, 0];

  constructor(dbPath: string, private readonly onCommitted: (events: number) => void = () => {}) {
    this.db = new Database(dbPath, { strict: true });
    applyPragmas(this.db);
    this.db.exec("PRAGMA busy_timeout = 0");
    this.commit = batchCommitter(this.db);
    // Checkpoints run on their own thread, never in a batch's way.
    this.checkpointer = new Worker(workerUrl("db/checkpointer-worker.ts"));
    this.checkpointer.postMessage({ type: "init", path: dbPath, everyMs: 200 });
    this.rollupTimer = this.startHousekeeping();
  }

  /** The incremental rollup and the outbox retention, on this connection: no second writer to wait for. */
  private startHousekeeping() {
    const job = rollupJob(this.db, { batch: ROLLUP_STEP_ROWS });
    const outbox = outboxRetention(this.db);
    let lastMaintained = 0;
    const timer = setInterval(() => {
      if (this.closed) return;
      try {
        const until = performance.now() + ROLLUP_BUDGET_MS;
        while (performance.now() < until && job.step() > 0);
        if (Date.now() - lastMaintained >= MAINTAIN_EVERY_MS) {
          lastMaintained = Date.now();
          job.maintain(Date.now(), { deleteBatch: 500, budgetMs: 5 });
          outbox.maintain(Date.now(), storedSetting(this.db, "rawRetentionDays"));
        }
      } catch (err) {
        // The lock was taken or the disk is full: the next tick starts again from the stored progress.
        if (!isBusy(err)) log.warn({ err }, "rollup tick failed");
      }
    }, ROLLUP_EVERY_MS);
    timer.unref?.();
    return timer;
  }

  /** Resolves once the record is committed; rejects if its transaction failed. */
  write(record: EventRecord): Promise<void> {
    if (this.closed) return Promise.reject(new WriteFailedError("shutting down"));
    return new Promise((resolve, reject) => {
      this.pending.push(record);
      this.waiters.push({ resolve, reject });
      this.schedule();
    });
  }

  private schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    // One batch per event-loop turn: every request that arrived in this turn shares the commit.
    // While the lock is taken, retry on the next turns, then every millisecond.
    const run = () => {
      this.scheduled = false;
      this.flush();
    };
    if (this.retries < 20) setImmediate(run);
    else setTimeout(run, 1);
  }

  /** Commits what is pending. Returns false when the write lock was taken and the batch waits for a later turn. */
  private flush(): boolean {
    if (this.pending.length === 0) return true;
    const records = this.pending;
    const waiters = this.waiters;
    let result: ReturnType<BatchCommit> | null = null;
    let failure: WriteFailedError | null = null;
    try {
      result = this.commit(records);
    } catch (err) {
      if (isBusy(err)) {
        const now = performance.now();
        if (this.busySince === 0) this.busySince = now;
        if (now - this.busySince < LOCK_DEADLINE_MS) {
          this.retries++;
          this.schedule();
          return false;
        }
      }
      failure = new WriteFailedError(err instanceof Error ? err.message : String(err));
    }
    this.pending = [];
    this.waiters = [];
    this.busySince = 0;
    this.retries = 0;
    if (!result) {
      for (const w of waiters) w.reject(failure!);
      return true;
    }
    for (const w of waiters) w.resolve();
    for (let i = 0; i < 4; i++) this.committed[i]! += result.tally[i]!;
    if (result.events > 0) this.onCommitted(result.events);
    return true;
  }

  /** Commits what is queued, then stops the housekeeping and the checkpointer and closes the connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.rollupTimer);
    while (!this.flush()) await new Promise((r) => setTimeout(r, 1));
    await new Promise((resolve) => {
      this.checkpointer.onmessage = resolve;
      this.checkpointer.postMessage({ type: "close" });
    });
    this.checkpointer.terminate();
    try {
      this.db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    } catch {
      // Another connection is still reading: the next start checkpoints instead.
    }
    this.db.close();
  }
}
