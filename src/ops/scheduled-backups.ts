import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { backupTo } from "./backup";
import { log } from "../log";

export const BACKUP_DIR = "backups";
const NAME = /^outro-(\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z)\.db$/;

/** Sortable by name: outro-2026-11-22T07-40-00-000Z.db */
export const backupName = (ms: number) => `outro-${new Date(ms).toISOString().replace(/[:.]/g, "-")}.db`;
const nameTime = (name: string) => Date.parse(NAME.exec(name)![1]!.replace(/T(\d\d)-(\d\d)-(\d\d)-(\d{3})Z$/, "T$1:$2:$3.$4Z"));

/** The scheduled backups in DATA_DIR/backups, oldest first. */
export function listBackups(dataDir: string): string[] {
  try {
    return readdirSync(join(dataDir, BACKUP_DIR)).filter((n) => NAME.test(n)).sort();
  } catch {
    return [];
  }
}

export interface BackupStatus {
  enabled: boolean;
  lastSuccessAt: number | null;
  failures: number;
}

export interface ScheduleOptions {
  dataDir: string;
  intervalHours: number;
  keep: number;
  clock?: () => number;
}

/**
 * Backs up the database into DATA_DIR/backups every `intervalHours` (0 = never) and keeps the
 * newest `keep`. The next one is due an interval after the newest on disk, so restarts neither
 * pile up backups nor postpone them forever.
 */
export function scheduleBackups({ dataDir, intervalHours, keep, clock = Date.now }: ScheduleOptions) {
  const every = intervalHours * 3_600_000;
  const dir = join(dataDir, BACKUP_DIR);
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running: Promise<unknown> | null = null;
  let stopped = false;
  let lastAttempt = -Infinity;
  const newestOnDisk = listBackups(dataDir).at(-1);
  const status = { lastSuccessAt: newestOnDisk ? nameTime(newestOnDisk) : null as number | null, failures: 0 };

  const prune = () => {
    const all = listBackups(dataDir);
    for (const old of all.slice(0, Math.max(0, all.length - keep))) rmSync(join(dir, old), { force: true });
  };

  /** Takes one backup now and prunes; answers its path (null when it failed: logged). */
  const runNow = async (): Promise<string | null> => {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = join(dir, backupName(clock()));
    try {
      const done = await backupTo(dataDir, file);
      prune();
      status.lastSuccessAt = clock();
      log.info({ file: done.file, bytes: done.bytes }, "scheduled backup written");
      return done.file;
    } catch (err) {
      status.failures++;
      log.error({ err, file }, "scheduled backup failed");
      return null;
    }
  };

  const arm = () => {
    if (stopped) return;
    const newest = listBackups(dataDir).at(-1);
    // The first backup after a start waits a minute (or one interval, if shorter): startup stays light.
    let due = newest ? nameTime(newest) + every : clock() + Math.min(every, 60_000);
    // After a failure (nothing new on disk), retry an interval later — an hour at most — not in a loop.
    due = Math.max(due, lastAttempt + Math.min(every, 3_600_000));
    // setTimeout holds at most ~24 days; a long wait is re-armed on the way.
    const wait = Math.min(Math.max(0, due - clock()), 86_400_000);
    timer = setTimeout(async () => {
      if (due <= clock()) {
        lastAttempt = clock();
        running = runNow();
        await running;
        running = null;
      }
      arm();
    }, wait);
    timer.unref?.();
  };

  if (every > 0) arm();
  return {
    runNow,
    /** For /metrics: when the newest scheduled backup was written, and failures since start. */
    status: (): Readonly<BackupStatus> => ({ enabled: every > 0, ...status }),
    /** Stops the schedule and waits for a backup that is being written. */
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
