import type { Database } from "bun:sqlite";
import { isBusy } from "../db/open";
import { rollupJob } from "./rollup";
import { outboxRetention } from "../tracking/outbox-retention";
import { storedSetting } from "../settings/service";
import { log } from "../log";

export type HousekeepingOptions = { everyMs: number; budgetMs: number; stepRows: number; maintainEveryMs: number };

/** A failure that repeats (a full disk) is reported at most this often. */
const REPORT_EVERY_MS = 60_000;

/**
 * The incremental rollup and the outbox retention: every `everyMs`, rollup steps of `stepRows`
 * rows (each its own short transaction) for at most `budgetMs`, and the slower maintenance every
 * `maintainEveryMs`. Progress is stored, so a failed tick just starts again from it.
 */
export function startHousekeeping(db: Database, opts: HousekeepingOptions): { stop(): void } {
  const job = rollupJob(db, { batch: opts.stepRows });
  const outbox = outboxRetention(db);
  let lastMaintained = 0;
  let lastReported = -Infinity;
  const timer = setInterval(() => {
    try {
      const until = performance.now() + opts.budgetMs;
      while (performance.now() < until && job.step() > 0);
      if (Date.now() - lastMaintained >= opts.maintainEveryMs) {
        lastMaintained = Date.now();
        job.maintain(Date.now(), { deleteBatch: 500, budgetMs: 5 });
        outbox.maintain(Date.now(), storedSetting(db, "rawRetentionDays"));
      }
    } catch (err) {
      // The lock was taken (the next tick tries again), or the disk is full: said once a minute, not every tick.
      if (isBusy(err) || Date.now() - lastReported < REPORT_EVERY_MS) return;
      lastReported = Date.now();
      log.warn({ err }, "rollup tick failed");
    }
  }, opts.everyMs);
  timer.unref?.();
  return { stop: () => clearInterval(timer) };
}
