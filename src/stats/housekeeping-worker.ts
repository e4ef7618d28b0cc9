/// <reference lib="webworker" />
// The incremental rollup and the outbox retention, on their own thread and connection. On the
// request thread they took ~5 µs of every click-out (measured with bench/quick.ts: the main
// thread's CPU per request with and without them), and the request thread is what limits the
// click-out rate. Each step is a short transaction; the click writer retries a busy batch on its
// next turn rather than sleeping, so a step only ever delays a batch by about its own length.
import { Database } from "bun:sqlite";
import { applyPragmas, isBusy } from "../db/open";
import { rollupJob } from "./rollup";
import { outboxRetention } from "../tracking/outbox-retention";
import { storedSetting } from "../settings/service";

declare const self: Worker;

export type HousekeepingInit = { type: "init"; path: string; everyMs: number; budgetMs: number; stepRows: number; maintainEveryMs: number };

let db: Database | null = null;
let timer: ReturnType<typeof setInterval> | null = null;

self.onmessage = (msg: MessageEvent<HousekeepingInit | { type: "close" }>) => {
  const m = msg.data;
  if (m.type === "init") {
    db = new Database(m.path, { strict: true });
    applyPragmas(db);
    const job = rollupJob(db, { batch: m.stepRows });
    const outbox = outboxRetention(db);
    let lastMaintained = 0;
    timer = setInterval(() => {
      if (!db) return;
      try {
        const until = performance.now() + m.budgetMs;
        while (performance.now() < until && job.step() > 0);
        if (Date.now() - lastMaintained >= m.maintainEveryMs) {
          lastMaintained = Date.now();
          job.maintain(Date.now(), { deleteBatch: 500, budgetMs: 5 });
          outbox.maintain(Date.now(), storedSetting(db, "rawRetentionDays"));
        }
      } catch (err) {
        // The lock was taken or the disk is full: the next tick starts again from the stored progress.
        if (!isBusy(err)) console.error(JSON.stringify({ level: "warn", msg: "rollup tick failed", err: String(err) }));
      }
    }, m.everyMs);
  } else {
    if (timer) clearInterval(timer);
    db?.close();
    db = null;
    self.postMessage("closed");
  }
};
