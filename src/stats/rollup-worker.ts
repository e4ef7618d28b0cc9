/// <reference lib="webworker" />
// The rollup thread: folds new raw rows into the dimension rollups every few seconds and keeps
// house (salts, visitor hashes, raw-row retention) on its own connection, off the request thread.
import { Database } from "bun:sqlite";
import { applyPragmas } from "../db/open";
import { rollupJob } from "./rollup";

declare const self: Worker;

export type RollupInit = { type: "init"; path: string; everyMs: number; maintainEveryMs: number };

let db: Database | null = null;
let timer: ReturnType<typeof setInterval> | null = null;

self.onmessage = (msg: MessageEvent<RollupInit | { type: "close" }>) => {
  const m = msg.data;
  if (m.type === "init") {
    db = new Database(m.path, { strict: true });
    applyPragmas(db);
    const job = rollupJob(db);
    let lastMaintained = 0;
    timer = setInterval(() => {
      try {
        // A bounded number of batches per tick, so a big backlog never holds the write lock for long.
        for (let i = 0; i < 20 && job.step() > 0; i++);
        if (Date.now() - lastMaintained >= m.maintainEveryMs) {
          lastMaintained = Date.now();
          job.maintain(Date.now());
        }
      } catch (err) {
        // Busy or a disk hiccup: the next tick starts again from the stored progress.
        console.error(JSON.stringify({ level: "warn", msg: "rollup tick failed", error: (err as Error).message }));
      }
    }, m.everyMs);
  } else {
    if (timer) clearInterval(timer);
    db?.close();
    db = null;
    self.postMessage("closed");
  }
};
