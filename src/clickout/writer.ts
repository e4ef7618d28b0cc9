import { Database } from "bun:sqlite";
import type { EventRecord, Tally } from "./records";
import { batchCommitter, type BatchCommit } from "./commit";
import { applyPragmas, isBusy } from "../db/open";
import { workerUrl } from "../workers";
import type { HousekeepingInit } from "../stats/housekeeping-worker";
import type { CheckpointerInit, RestartReport } from "../db/checkpointer-worker";
import { startHousekeeping, type HousekeepingOptions } from "../stats/housekeeping";
import { log } from "../log";

export class WriteFailedError extends Error {}

type Waiter = { resolve: () => void; reject: (err: Error) => void };

/** How long a batch may wait for the write lock (another connection's transaction) before its requests fail. */
const LOCK_DEADLINE_MS = 5000;
/** Rollup folding runs on its own thread in short steps (short transactions), so a batch never waits long behind it. */
const ROLLUP_EVERY_MS = 50;
const ROLLUP_BUDGET_MS = 2;
const ROLLUP_STEP_ROWS = 100;
const MAINTAIN_EVERY_MS = 60_000;

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
  private readonly housekeeping: Worker;
  /** The rollup on this thread, only if its own thread failed. */
  private fallback: { stop(): void } | null = null;
  private pending: EventRecord[] = [];
  private waiters: Waiter[] = [];
  /** When the oldest pending batch first found the write lock taken; 0 while it has not. */
  private busySince = 0;
  private retries = 0;
  private scheduled = false;
  private closed = false;
  /** Rows committed since start (repeats of an event id not counted), read by /metrics: see Tally. */
  readonly committed: Tally = [0, 0, 0, 0];
  /** Commits so far, shared with the checkpointer: it restarts the WAL when they pause. */
  private readonly commits = new Int32Array(new SharedArrayBuffer(4));

  /** `threads` names the workers' entry points (from src/); a test points one at a missing file. */
  constructor(
    dbPath: string,
    private readonly onCommitted: (events: number) => void = () => {},
    threads = { checkpointer: "db/checkpointer-worker.ts", housekeeping: "stats/housekeeping-worker.ts" },
  ) {
    this.db = new Database(dbPath, { strict: true });
    applyPragmas(this.db);
    this.db.exec("PRAGMA busy_timeout = 0");
    this.commit = batchCommitter(this.db);
    // Checkpoints run on their own thread, never in a batch's way.
    this.checkpointer = new Worker(workerUrl(threads.checkpointer));
    this.checkpointer.postMessage({ type: "init", path: dbPath, everyMs: 200, commits: this.commits.buffer as SharedArrayBuffer } satisfies CheckpointerInit);
    this.checkpointer.onmessage = (e: MessageEvent<RestartReport | string>) => {
      if (typeof e.data === "object" && e.data.type === "restarted") log.debug({ frames: e.data.frames, heldMs: Math.round(e.data.heldMs * 10) / 10, quiet: e.data.quiet }, "WAL restarted");
    };
    this.housekeeping = new Worker(workerUrl(threads.housekeeping));
    const options: HousekeepingOptions = { everyMs: ROLLUP_EVERY_MS, budgetMs: ROLLUP_BUDGET_MS, stepRows: ROLLUP_STEP_ROWS, maintainEveryMs: MAINTAIN_EVERY_MS };
    this.housekeeping.postMessage({ type: "init", path: dbPath, ...options } satisfies HousekeepingInit);
    // A thread that cannot start (an executable built without its entry point) or fails: the
    // rollup then runs here, between batches, rather than not at all.
    this.housekeeping.addEventListener("error", (e) => {
      log.error({ err: e.message ?? String(e) }, "housekeeping thread failed; the rollup runs on the request thread");
      workerFailed.add(this.housekeeping);
      if (!this.closed && !this.fallback) this.fallback = startHousekeeping(this.db, options);
    });
    this.checkpointer.addEventListener("error", (e) => {
      log.error({ err: e.message ?? String(e) }, "checkpointer thread failed; commits checkpoint the WAL themselves");
      workerFailed.add(this.checkpointer);
      // SQLite's own checkpoint after a commit that grows the WAL past 1000 pages: slower commits, a bounded WAL.
      if (!this.closed) this.db.exec("PRAGMA wal_autocheckpoint = 1000");
    });
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
    Atomics.add(this.commits, 0, 1);
    for (const w of waiters) w.resolve();
    for (let i = 0; i < 4; i++) this.committed[i]! += result.tally[i]!;
    if (result.events > 0) this.onCommitted(result.events);
    return true;
  }

  /** Commits what is queued, then stops the housekeeping and the checkpointer and closes the connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.fallback?.stop();
    await closeWorker(this.housekeeping);
    while (!this.flush()) await new Promise((r) => setTimeout(r, 1));
    await closeWorker(this.checkpointer);
    try {
      this.db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    } catch {
      // Another connection is still reading: the next start checkpoints instead.
    }
    this.db.close();
  }
}

/** Workers that reported an error: they may never answer a close. */
const workerFailed = new WeakSet<Worker>();
/** How long a shutdown waits for a worker to close its connection before ending the thread anyway. */
const CLOSE_WAIT_MS = 5_000;

/** Asks a database worker to close its connection, waits for it to say so (or for CLOSE_WAIT_MS), and ends the thread. */
async function closeWorker(worker: Worker): Promise<void> {
  if (!workerFailed.has(worker)) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, CLOSE_WAIT_MS);
      worker.onmessage = (e: MessageEvent) => {
        if (e.data !== "closed") return;
        clearTimeout(timer);
        resolve();
      };
      worker.postMessage({ type: "close" });
    });
  }
  worker.terminate();
}
