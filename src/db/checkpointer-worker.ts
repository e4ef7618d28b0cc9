/// <reference lib="webworker" />
// Moves WAL pages into the database file in the background, and keeps the WAL from growing
// without end under steady writes: a PASSIVE checkpoint never blocks the writer, but while
// commits keep coming it never quite catches up, and the WAL only starts again from the top
// once a checkpoint has caught up. So when the WAL has grown past a bound, a RESTART
// checkpoint holds the write lock for the short remainder (the writer retries meanwhile, it
// does not sleep) and the next commit writes from the top of the file again.
import { Database } from "bun:sqlite";
import { applyPragmas } from "./open";

declare const self: Worker;

/** WAL frames (pages) after which the checkpointer restarts the WAL: 32 MB of 4 KB pages, every few seconds under a flood (a restart holds the lock a few ms). */
const RESTART_AFTER_FRAMES = 8_000;
/**
 * A RESTART holds writers off while it waits for readers of older snapshots (a CSV export, a
 * backup): it waits this long at most, and after giving up is not tried again for a while, so
 * click-outs are never held up for long; the WAL just grows a little meanwhile.
 */
const RESTART_WAIT_MS = 50;
const RESTART_BACKOFF_MS = 5_000;

export type CheckpointerInit = { type: "init"; path: string; everyMs: number; restartAfterFrames?: number };

let db: Database | null = null;
let timer: ReturnType<typeof setInterval> | null = null;

self.onmessage = (msg: MessageEvent<CheckpointerInit | { type: "close" }>) => {
  const m = msg.data;
  if (m.type === "init") {
    db = new Database(m.path, { strict: true });
    applyPragmas(db);
    db.exec(`PRAGMA busy_timeout = ${RESTART_WAIT_MS}`);
    // The file is cut back to this size after a restart that followed a large burst.
    db.exec("PRAGMA journal_size_limit = 67108864");
    const restartAfter = m.restartAfterFrames ?? RESTART_AFTER_FRAMES;
    let nextRestart = 0;
    const checkpoint = (mode: "PASSIVE" | "RESTART") =>
      db!.query<{ busy: number; log: number; checkpointed: number }, []>(`PRAGMA wal_checkpoint(${mode})`).get()!;
    timer = setInterval(() => {
      try {
        const passive = checkpoint("PASSIVE");
        if (passive.log < restartAfter || Date.now() < nextRestart) return;
        if (checkpoint("RESTART").busy) nextRestart = Date.now() + RESTART_BACKOFF_MS;
      } catch {
        // Busy or full: the next tick tries again; the WAL keeps every commit meanwhile.
        nextRestart = Date.now() + RESTART_BACKOFF_MS;
      }
    }, m.everyMs);
  } else {
    if (timer) clearInterval(timer);
    db?.close();
    db = null;
    self.postMessage("closed");
  }
};
